using System.Diagnostics;
using Appliance.Engine.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Appliance.Engine.Scripts;

/// <summary>One up/down script call: ucarp's convention, <c>script &lt;interface&gt; &lt;vip&gt; [xparam]</c>.</summary>
/// <param name="Refusal">Asked right before the run: a reason not to run the script now (null: run it).</param>
public sealed record ScriptRequest(string Path, IReadOnlyList<string> Arguments, Action<int?>? Completed = null, Func<string, string?>? Refusal = null)
{
    /// <summary>ucarp's log text: "Spawning [/etc/vip-up.sh eth0 10.0.0.1]".</summary>
    public string CommandLine => string.Join(' ', Arguments.Prepend(Path));
}

/// <summary>Runs scripts for the engine without ever blocking it.</summary>
public interface IScriptRunner
{
    /// <summary>
    /// Hands the script over; calls run one at a time per runner, in order, and a newer call replaces one
    /// still waiting (<see cref="ScriptRunner"/>). Never blocks.
    /// </summary>
    void Enqueue(ScriptRequest request);
}

/// <summary>
/// Runs scripts one after another on a background task (order matters: an up followed by a down must run in
/// that order), each with a timeout, logging the exit code and every output line. Unlike ucarp, the engine
/// keeps advertising and receiving while a script runs (ucarp blocks: docs/carp-protocol.md, 8.2).
/// Bounded (docs/carp-protocol.md, 6.11; docs/limits.md): at most one script runs and one waits. A newer
/// request replaces the waiting one, which never runs: it is logged as superseded, counted in
/// <see cref="SupersededRuns"/>, and its <see cref="ScriptRequest.Completed"/> is called with null (off the
/// caller's thread). A VHID that flaps while a slow script runs thus ends with the script of its latest
/// transition, never a stale one after it, and never a pile of them.
/// </summary>
public sealed partial class ScriptRunner : IScriptRunner, IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly ILogger _logger;
    private readonly TimeSpan _timeout;
    private readonly Task _worker;
    private ScriptRequest? _pending;
    private bool _closed;
    private long _superseded;

    // Completed(null) of superseded requests, one after another on the thread pool: not on the caller's
    // thread (the engine calls Enqueue under its state machine's lock), and awaited by DisposeAsync.
    private Task _supersededCallbacks = Task.CompletedTask;

    /// <summary>Output (stdout and stderr together, in UTF-8 bytes, a newline per line) logged per run; the rest is counted and summed up in one line.</summary>
    public const int MaxOutputBytesPerRun = 64 * 1024;

    public ScriptRunner(ILogger logger, TimeSpan timeout)
    {
        _logger = logger;
        _timeout = timeout;
        _worker = Task.Run(RunAsync);
    }

    /// <summary>Requests replaced by a newer one before they ran (never run), since this runner started.</summary>
    public long SupersededRuns => Interlocked.Read(ref _superseded);

    public void Enqueue(ScriptRequest request)
    {
        LogSpawning(request.CommandLine);
        ScriptRequest? superseded = null;
        var stopped = false;
        lock (_lock)
        {
            if (_closed)
            {
                stopped = true;
            }
            else
            {
                superseded = _pending;
                _pending = request;
                Wake();
            }
        }
        if (stopped)
        {
            LogRefused(request.CommandLine, "the script runner is stopped");
            CompleteLater(request);
        }
        else if (superseded is not null)
        {
            Interlocked.Increment(ref _superseded);
            LogSuperseded(superseded.CommandLine);
            CompleteLater(superseded);
        }
    }

    /// <summary>Waits for the running and the waiting script to finish (each bounded by the timeout).</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _closed = true;
            Wake();
        }
        await _worker.ConfigureAwait(false);
        Task callbacks;
        lock (_lock)
        {
            callbacks = _supersededCallbacks;
        }
        await callbacks.ConfigureAwait(false);
    }

    /// <summary>Called under the lock: at most one release pending, so the semaphore never overflows.</summary>
    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    private void CompleteLater(ScriptRequest request)
    {
        if (request.Completed is null)
        {
            return;
        }
        lock (_lock)
        {
            _supersededCallbacks = _supersededCallbacks.ContinueWith(
                static (_, state) =>
                {
                    var (runner, request) = ((ScriptRunner, ScriptRequest))state!;
                    runner.Complete(request, null);
                },
                (this, request), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    private async Task RunAsync()
    {
        while (true)
        {
            ScriptRequest? request;
            lock (_lock)
            {
                request = _pending;
                _pending = null;
                if (request is null && _closed)
                {
                    return;
                }
            }
            if (request is null)
            {
                await _wake.WaitAsync().ConfigureAwait(false);
                continue;
            }
            int? exitCode = null;
            try
            {
                if (request.Refusal?.Invoke(request.Path) is { } reason)
                {
                    LogRefused(request.CommandLine, reason);
                }
                else
                {
                    exitCode = await RunOneAsync(request).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                LogExecFailed(request.CommandLine, ex.Message);
            }
            Complete(request, exitCode);
        }
    }

    private void Complete(ScriptRequest request, int? exitCode)
    {
        try
        {
            request.Completed?.Invoke(exitCode);
        }
        catch (Exception ex)
        {
            LogCallbackFailed(ex);
        }
    }

    private async Task<int?> RunOneAsync(ScriptRequest request)
    {
        // execl semantics, as ucarp: no shell; the script needs a shebang and the executable bit.
        var psi = new ProcessStartInfo(request.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var arg in request.Arguments)
        {
            psi.ArgumentList.Add(arg);
        }
        using var process = new Process { StartInfo = psi };
        var output = new OutputBudget(MaxOutputBytesPerRun);
        process.OutputDataReceived += (_, e) => LogBounded(request.Path, output, e.Data);
        process.ErrorDataReceived += (_, e) => LogBounded(request.Path, output, e.Data);
        var started = Stopwatch.GetTimestamp();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(_timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            LogTimedOut(request.CommandLine, _timeout.TotalSeconds);
            LogDroppedIfAny(request.Path, output);
            return null;
        }
        LogDroppedIfAny(request.Path, output);
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (process.ExitCode == 0)
        {
            LogFinished(request.CommandLine, process.ExitCode, ms);
        }
        else
        {
            LogFailed(request.CommandLine, process.ExitCode, ms);
        }
        return process.ExitCode;
    }

    private void LogBounded(string script, OutputBudget budget, string? line)
    {
        if (line is not null && budget.TryTake(line))
        {
            LogOutput(script, line);
        }
    }

    private void LogDroppedIfAny(string script, OutputBudget budget)
    {
        if (budget.DroppedBytes > 0)
        {
            LogOutputDropped(script, budget.DroppedBytes, budget.DroppedLines);
        }
    }

    /// <summary>Bytes left for one run's output; both readers call it, from their own threads.</summary>
    internal sealed class OutputBudget(int limit)
    {
        private readonly Lock _lock = new();
        private long _used;

        public long DroppedBytes { get; private set; }

        public long DroppedLines { get; private set; }

        public bool TryTake(string line)
        {
            var bytes = System.Text.Encoding.UTF8.GetByteCount(line) + 1;
            lock (_lock)
            {
                if (DroppedBytes == 0 && _used + bytes <= limit)
                {
                    _used += bytes;
                    return true;
                }
                DroppedBytes += bytes;
                DroppedLines++;
                return false;
            }
        }
    }

    [LoggerMessage(EventId = LogEventIds.EngineScripts + 10, Level = LogLevel.Warning, Message = "Not running [{CommandLine}]: superseded by a newer transition")]
    private partial void LogSuperseded(string commandLine);

    [LoggerMessage(EventId = LogEventIds.EngineScripts + 9, Level = LogLevel.Warning, Message = "{Script}: ... {Bytes} more bytes dropped ({Lines} lines)")]
    private partial void LogOutputDropped(string script, long bytes, long lines);

    [LoggerMessage(EventId = LogEventIds.EngineScripts + 1, Level = LogLevel.Warning, Message = "Spawning [{CommandLine}]")]
    private partial void LogSpawning(string commandLine);

    [LoggerMessage(EventId = LogEventIds.EngineScripts + 2, Level = LogLevel.Error, Message = "Unable to exec {CommandLine}: {Error}")]
    private partial void LogExecFailed(string commandLine, string error);

    [LoggerMessage(EventId = LogEventIds.EngineScripts + 8, Level = LogLevel.Error, Message = "Not running [{CommandLine}]: {Reason}")]
    private partial void LogRefused(string commandLine, string reason);

    [LoggerMessage(EventId = LogEventIds.EngineScripts + 3, Level = LogLevel.Information, Message = "Script [{CommandLine}] exited with status {ExitCode} after {Milliseconds:F0} ms")]
    private partial void LogFinished(string commandLine, int exitCode, double milliseconds);

    [LoggerMessage(EventId = LogEventIds.EngineScripts + 4, Level = LogLevel.Warning, Message = "Script [{CommandLine}] exited with status {ExitCode} after {Milliseconds:F0} ms")]
    private partial void LogFailed(string commandLine, int exitCode, double milliseconds);

    [LoggerMessage(EventId = LogEventIds.EngineScripts + 5, Level = LogLevel.Error, Message = "Script [{CommandLine}] killed after the {Seconds} s timeout")]
    private partial void LogTimedOut(string commandLine, double seconds);

    [LoggerMessage(EventId = LogEventIds.EngineScripts + 6, Level = LogLevel.Information, Message = "{Script}: {Line}")]
    private partial void LogOutput(string script, string line);

    [LoggerMessage(EventId = LogEventIds.EngineScripts + 7, Level = LogLevel.Error, Message = "Script completion callback failed")]
    private partial void LogCallbackFailed(Exception exception);
}
