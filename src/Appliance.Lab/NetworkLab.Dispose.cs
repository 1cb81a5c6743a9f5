using System.Diagnostics;
using System.Globalization;
using Tmds.Linux;

namespace Appliance.Lab;

public sealed partial class NetworkLab
{
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(5);

    /// <summary>Kills every process, deletes every namespace and the work directory. Never throws.</summary>
    public void Dispose()
    {
        LabProcess[] processes;
        string[] namespaces;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            processes = [.. _processes];
            namespaces = [.. _namespaces];
        }

        KillStartedProcesses(processes);

        // Nodes first, the bridge last. Anything still inside a lab namespace was spawned by a
        // process we started (e.g. ucarp's up script, a backgrounded arping): kill it too, or
        // it would keep the namespace alive after 'ip netns del'.
        foreach (var ns in namespaces.Reverse())
        {
            Try($"kill processes in {ns}", () => KillNamespaceProcesses(ns));
            Try($"delete {ns}", () =>
            {
                var result = Ip("netns", "del", ns);
                if (!result.Succeeded)
                {
                    throw new InvalidOperationException(result.ToString());
                }
            });
        }

        Try("delete work directory", () =>
        {
            if (Directory.Exists(WorkDirectory))
            {
                Directory.Delete(WorkDirectory, recursive: true);
            }
        });
        Try("delete owner file", () => File.Delete(_ownerFile));
    }

    public ValueTask DisposeAsync() => new(Task.Run(Dispose));

    private static void KillStartedProcesses(LabProcess[] processes)
    {
        foreach (var process in processes)
        {
            Try($"kill {process.Pid}", process.Kill);
        }

        // Our own children are reaped by .NET as soon as they die.
        var clock = Stopwatch.StartNew();
        foreach (var process in processes)
        {
            var left = ExitWait - clock.Elapsed;
            Try($"wait for {process.Pid}", () =>
            {
                if (!process.HasExited && left > TimeSpan.Zero)
                {
                    process.WaitForExitAsync(left).GetAwaiter().GetResult();
                }
            });
            Try($"release {process.Pid}", process.Dispose);
        }
    }

    private static void KillNamespaceProcesses(string ns)
    {
        var pids = Ip("netns", "pids", ns).StdOut
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 1 && pid != Environment.ProcessId)
            .ToArray();
        foreach (var pid in pids)
        {
            _ = LibC.kill(pid, LibC.SIGKILL);
        }

        // Orphans are reaped by PID 1, about 1.3 s late here (docs/namespace-lab.md, 1): wait, bounded, until
        // each is gone or a zombie (a zombie no longer holds its namespace).
        var clock = Stopwatch.StartNew();
        while (pids.Any(IsAlive) && clock.Elapsed < ExitWait)
        {
            Thread.Sleep(50);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (comm) S ...": the state follows the last ')'.
            var state = stat[(stat.LastIndexOf(')') + 2)..];
            return !state.StartsWith('Z') && !state.StartsWith('X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void Try(string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex)
        {
            // Dispose must not throw; say what was left behind instead.
            Console.Error.WriteLine($"NetworkLab cleanup: {what} failed: {ex.Message}");
        }
    }
}
