using System.Diagnostics;
using Tmds.Linux;

namespace Appliance.Lab;

/// <summary>
/// A process started inside a lab namespace by <see cref="NetworkLab.Start"/>. Its stdout and
/// stderr lines are kept in one thread-safe buffer (stderr lines prefixed with nothing, in
/// arrival order). The owning lab kills it on dispose.
/// </summary>
public sealed class LabProcess : IDisposable
{
    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;
    private readonly Task _pumps;
    private bool _released;
    private bool _releasedExited;
    private int? _releasedExitCode;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal LabProcess(LabNode node, string description, Process process)
    {
        Node = node;
        Description = description;
        _process = process;
        Pid = process.Id;
        _stdoutPump = PumpAsync(process.StandardOutput);
        _stderrPump = PumpAsync(process.StandardError);
        _pumps = Task.WhenAll(_stdoutPump, _stderrPump);
    }

    public LabNode Node { get; }

    /// <summary>The command line, for messages.</summary>
    public string Description { get; }

    /// <summary>
    /// The PID of the program itself: <c>ip netns exec</c> execs the program in place, so this
    /// is also the PID of e.g. ucarp.
    /// </summary>
    public int Pid { get; }

    public bool HasExited
    {
        get
        {
            lock (_gate)
            {
                return _released ? _releasedExited : _process.HasExited;
            }
        }
    }

    /// <summary>Exit code, or null while running.</summary>
    public int? ExitCode
    {
        get
        {
            lock (_gate)
            {
                return _released ? _releasedExitCode : _process.HasExited ? _process.ExitCode : null;
            }
        }
    }

    /// <summary>A snapshot of every output line so far (stdout and stderr interleaved).</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    public int LineCount
    {
        get
        {
            lock (_gate)
            {
                return _lines.Count;
            }
        }
    }

    /// <summary>All output so far as one string, for assertion messages.</summary>
    public string Output => string.Join('\n', Lines);

    /// <summary>
    /// Waits until a line at index <paramref name="fromLine"/> or later matches. Throws
    /// <see cref="TimeoutException"/> (with the output so far) on timeout, or
    /// <see cref="InvalidOperationException"/> when the process ends without a match.
    /// </summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, int fromLine = 0)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var deadline = Stopwatch.StartNew();
        var next = fromLine;
        while (true)
        {
            Task changed;
            bool ended;
            lock (_gate)
            {
                for (; next < _lines.Count; next++)
                {
                    if (predicate(_lines[next]))
                    {
                        return _lines[next];
                    }
                }

                changed = _changed.Task;
                ended = _pumps.IsCompleted;
            }

            if (ended)
            {
                throw new InvalidOperationException(
                    $"'{Description}' in {Node.Namespace} ended (exit {ExitCode?.ToString() ?? "?"}) without a matching line. Output:\n{Output}");
            }

            var remaining = timeout - deadline.Elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException(
                    $"No matching line from '{Description}' in {Node.Namespace} within {timeout}. Output:\n{Output}");
            }

            // Wake on a new line, on the end of output, or at the deadline.
            using var delayCts = new CancellationTokenSource();
            await Task.WhenAny(changed, _pumps, Task.Delay(remaining, delayCts.Token)).ConfigureAwait(false);
            await delayCts.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits for a line containing <paramref name="text"/> (ordinal).</summary>
    public Task<string> WaitForLineAsync(string text, TimeSpan timeout, int fromLine = 0) =>
        WaitForLineAsync(line => line.Contains(text, StringComparison.Ordinal), timeout, fromLine);

    /// <summary>Sends <paramref name="signal"/> (e.g. <c>LibC.SIGTERM</c>) to <see cref="Pid"/> if it is still running.</summary>
    public void Kill(int signal)
    {
        // HasExited turns true only once .NET has reaped the child, so until then the PID is still ours.
        if (HasExited)
        {
            return;
        }

        if (LibC.kill(Pid, signal) != 0)
        {
            var errno = LibC.errno;
            if (!HasExited)
            {
                throw new InvalidOperationException($"kill({Pid}, {signal}) failed, errno {errno}");
            }
        }
    }

    /// <summary>SIGKILL.</summary>
    public void Kill() => Kill(LibC.SIGKILL);

    /// <summary>Waits for exit and for the output to be drained; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_released)
            {
                return _releasedExitCode ?? throw new ObjectDisposedException(nameof(LabProcess), $"'{Description}' was released while running.");
            }
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"'{Description}' (pid {Pid}) in {Node.Namespace} did not exit within {timeout}.");
        }

        // Children (e.g. ucarp's scripts) may still hold the pipes; don't wait on them forever.
        await Task.WhenAny(_pumps, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>
    /// Releases the process handle, keeping the exit status readable; <see cref="NetworkLab"/>
    /// kills the process first.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_released)
            {
                return;
            }

            _releasedExited = _process.HasExited;
            _releasedExitCode = _releasedExited ? _process.ExitCode : null;
            _released = true;
            _process.Dispose();
        }
    }

    private async Task PumpAsync(StreamReader reader)
    {
        try
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                Append(line);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The pipe went away with the process: nothing more to read.
        }
        finally
        {
            Signal();
        }
    }

    private void Append(string line)
    {
        lock (_gate)
        {
            _lines.Add(line);
        }

        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }
}
