namespace Appliance.Demo;

/// <summary>
/// The demo's one writer to the terminal. Lines from several threads (transitions, client, keys)
/// never interleave; on a terminal a one-line client status is kept at the bottom and redrawn
/// under each new line, elsewhere (CI logs, pipes) it is printed as a plain line now and then.
/// </summary>
internal sealed class DemoConsole
{
    private readonly Lock _gate = new();
    private readonly TextWriter _out;
    private string _status = "";

    public DemoConsole(TextWriter output, bool interactiveTerminal)
    {
        _out = output;
        IsTerminal = interactiveTerminal;
    }

    /// <summary>True when stdout is a terminal: the status line is redrawn in place.</summary>
    public bool IsTerminal { get; }

    public void WriteLine(string line)
    {
        lock (_gate)
        {
            ClearStatusLocked();
            _out.WriteLine(line);
            DrawStatusLocked();
            _out.Flush();
        }
    }

    /// <summary>Sets the bottom status line (terminal only; ignored otherwise).</summary>
    public void SetStatus(string status)
    {
        if (!IsTerminal)
        {
            return;
        }
        lock (_gate)
        {
            ClearStatusLocked();
            _status = status;
            DrawStatusLocked();
            _out.Flush();
        }
    }

    /// <summary>Removes the status line (before exit).</summary>
    public void ClearStatus()
    {
        lock (_gate)
        {
            ClearStatusLocked();
            _status = "";
            _out.Flush();
        }
    }

    private void ClearStatusLocked()
    {
        if (IsTerminal && _status.Length > 0)
        {
            // Carriage return, erase the line (ANSI EL2), carriage return.
            _out.Write("\r\u001b[2K\r");
        }
    }

    private void DrawStatusLocked()
    {
        if (IsTerminal && _status.Length > 0)
        {
            _out.Write(_status);
        }
    }
}
