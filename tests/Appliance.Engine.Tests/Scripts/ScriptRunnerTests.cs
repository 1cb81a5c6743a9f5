using System.Diagnostics;
using System.Runtime.Versioning;
using Appliance.Engine.Scripts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Appliance.Engine.Tests.Scripts;

[UnsupportedOSPlatform("windows")]
public sealed class ScriptRunnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scriptrunner-").FullName;
    private readonly FakeLogger _log = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Script(string name, string body, bool executable = true)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "#!/bin/bash\n" + body + "\n");
        File.SetUnixFileMode(path, executable
            ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            : UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    private static (ScriptRequest Request, Task<int?> Done) Request(string path, params string[] args)
    {
        var tcs = new TaskCompletionSource<int?>(TaskCreationOptions.RunContinuationsAsynchronously);
        return (new ScriptRequest(path, args, code => tcs.TrySetResult(code)), tcs.Task);
    }

    [Fact]
    public async Task Enqueue_RealScript_GetsUcarpArgvInOrder()
    {
        var outFile = Path.Combine(_dir, "args.txt");
        var path = Script("up.sh", $"printf '%s\\n' \"$0\" \"$#\" \"$@\" > '{outFile}'");
        await using var runner = new ScriptRunner(_log, TimeSpan.FromSeconds(10));
        var (request, done) = Request(path, "veth0", "198.18.0.100", "extra param");
        runner.Enqueue(request);
        Assert.Equal(0, await done.WaitAsync(TestTimeouts.Default));
        Assert.Equal([path, "3", "veth0", "198.18.0.100", "extra param"], File.ReadAllLines(outFile));
        Assert.Contains(_log.Collector.GetSnapshot(), l => l.Level == LogLevel.Warning && l.Message == $"Spawning [{path} veth0 198.18.0.100 extra param]");
    }

    [Fact]
    public async Task Enqueue_ScriptMadeGroupWritableAfterItWasSaved_NotRunAndLoggedWithTheReason()
    {
        var outFile = Path.Combine(_dir, "ran.txt");
        var path = Script("up.sh", $"touch '{outFile}'");
        await using var runner = new ScriptRunner(_log, TimeSpan.FromSeconds(10));
        // As serve does: the scripts directory's rules, asked right before the run.
        Assert.Null(ScriptDirectory.CheckPath(path));
        File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.GroupWrite);
        var tcs = new TaskCompletionSource<int?>(TaskCreationOptions.RunContinuationsAsynchronously);

        runner.Enqueue(new ScriptRequest(path, ["veth0", "198.18.0.100"], code => tcs.TrySetResult(code), ScriptDirectory.CheckPath));

        Assert.Null(await tcs.Task.WaitAsync(TestTimeouts.Default));
        Assert.False(File.Exists(outFile));
        Assert.Contains(_log.Collector.GetSnapshot(),
            l => l.Level == LogLevel.Error && l.Message == $"Not running [{path} veth0 198.18.0.100]: writable by group or others");
    }

    [Fact]
    public async Task Enqueue_TwoArguments_NoThirdArgv()
    {
        var outFile = Path.Combine(_dir, "args2.txt");
        var path = Script("down.sh", $"echo \"$#:$1:$2\" > '{outFile}'");
        await using var runner = new ScriptRunner(_log, TimeSpan.FromSeconds(10));
        var (request, done) = Request(path, "veth0", "198.18.0.100");
        runner.Enqueue(request);
        Assert.Equal(0, await done.WaitAsync(TestTimeouts.Default));
        Assert.Equal("2:veth0:198.18.0.100", File.ReadAllText(outFile).Trim());
    }

    [Fact]
    public async Task Enqueue_ScriptOutput_IsLogged()
    {
        var path = Script("talk.sh", "echo hello-out; echo hello-err >&2");
        await using var runner = new ScriptRunner(_log, TimeSpan.FromSeconds(10));
        var (request, done) = Request(path, "veth0", "198.18.0.100");
        runner.Enqueue(request);
        await done.WaitAsync(TestTimeouts.Default);
        await runner.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);
        Assert.Contains(_log.Collector.GetSnapshot(), l => l.Message.EndsWith("hello-out", StringComparison.Ordinal));
        Assert.Contains(_log.Collector.GetSnapshot(), l => l.Message.EndsWith("hello-err", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Enqueue_FloodingScript_OutputLoggedUpToTheLimitThenOneDroppedLine()
    {
        // 10,000 lines of 17 bytes (with the newline): 3,855 fit in 64 KiB, the rest is counted.
        var path = Script("flood.sh", "for i in $(seq 10000); do echo 0123456789abcdef; done");
        await using var runner = new ScriptRunner(_log, TimeSpan.FromSeconds(30));
        var (request, done) = Request(path, "veth0", "198.18.0.100");
        runner.Enqueue(request);
        Assert.Equal(0, await done.WaitAsync(TestTimeouts.Default));
        var logs = _log.Collector.GetSnapshot();
        Assert.Equal(ScriptRunner.MaxOutputBytesPerRun / 17, logs.Count(l => l.Message == $"{path}: 0123456789abcdef"));
        var dropped = Assert.Single(logs, l => l.Message.Contains("more bytes dropped", StringComparison.Ordinal));
        Assert.Equal($"{path}: ... {(10000 - 3855) * 17} more bytes dropped ({10000 - 3855} lines)", dropped.Message);
        Assert.Equal(LogLevel.Warning, dropped.Level);
    }

    [Fact]
    public async Task Enqueue_SmallOutput_NoDroppedLine()
    {
        var path = Script("quiet.sh", "echo one; echo two >&2");
        await using var runner = new ScriptRunner(_log, TimeSpan.FromSeconds(10));
        var (request, done) = Request(path, "veth0", "198.18.0.100");
        runner.Enqueue(request);
        Assert.Equal(0, await done.WaitAsync(TestTimeouts.Default));
        Assert.DoesNotContain(_log.Collector.GetSnapshot(), l => l.Message.Contains("dropped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Enqueue_NonZeroExit_LoggedAsWarningWithStatus()
    {
        var path = Script("fail.sh", "exit 3");
        await using var runner = new ScriptRunner(_log, TimeSpan.FromSeconds(10));
        var (request, done) = Request(path, "veth0", "198.18.0.100");
        runner.Enqueue(request);
        Assert.Equal(3, await done.WaitAsync(TestTimeouts.Default));
        Assert.Contains(_log.Collector.GetSnapshot(), l => l.Level == LogLevel.Warning && l.Message.Contains($"[{path} veth0 198.18.0.100] exited with status 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Enqueue_ZeroExit_LoggedAsInformation()
    {
        var path = Script("ok.sh", "exit 0");
        await using var runner = new ScriptRunner(_log, TimeSpan.FromSeconds(10));
        var (request, done) = Request(path, "veth0", "198.18.0.100");
        runner.Enqueue(request);
        Assert.Equal(0, await done.WaitAsync(TestTimeouts.Default));
        Assert.Contains(_log.Collector.GetSnapshot(), l => l.Level == LogLevel.Information && l.Message.Contains("exited with status 0", StringComparison.Ordinal));
        Assert.DoesNotContain(_log.Collector.GetSnapshot(), l => l.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Enqueue_ScriptOverTimeout_KilledWithItsChildren()
    {
        var pids = Path.Combine(_dir, "pids");
        var path = Script("hang.sh", $"sleep 20 & echo \"$$ $!\" > '{pids}'; wait");
        await using var runner = new ScriptRunner(_log, TimeSpan.FromMilliseconds(700));
        var (request, done) = Request(path, "veth0", "198.18.0.100");
        var sw = Stopwatch.StartNew();
        runner.Enqueue(request);
        Assert.Null(await done.WaitAsync(TestTimeouts.Default));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");
        Assert.Contains(_log.Collector.GetSnapshot(), l => l.Level == LogLevel.Error && l.Message.Contains("killed after", StringComparison.Ordinal));
        var ids = File.ReadAllText(pids).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToList();
        Assert.Equal(2, ids.Count);
        foreach (var pid in ids)
        {
            for (var i = 0; i < 50 && IsAlive(pid); i++)
            {
                await Task.Delay(100);
            }
            Assert.False(IsAlive(pid), $"pid {pid} still running");
        }
    }

    private static bool IsAlive(int pid)
    {
        // A zombie (state Z) has exited; only a running process counts.
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Enqueue_NotExecutable_LogsUnableToExec()
    {
        var path = Script("noexec.sh", "exit 0", executable: false);
        await using var runner = new ScriptRunner(_log, TimeSpan.FromSeconds(10));
        var (request, done) = Request(path, "veth0", "198.18.0.100", "x");
        runner.Enqueue(request);
        Assert.Null(await done.WaitAsync(TestTimeouts.Default));
        Assert.Contains(_log.Collector.GetSnapshot(), l => l.Level == LogLevel.Error && l.Message.StartsWith($"Unable to exec {path} veth0 198.18.0.100 x: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Enqueue_MissingPath_LogsUnableToExecAndKeepsRunning()
    {
        await using var runner = new ScriptRunner(_log, TimeSpan.FromSeconds(10));
        var (missing, missingDone) = Request(Path.Combine(_dir, "nope.sh"), "veth0", "198.18.0.100");
        var (ok, okDone) = Request(Script("after.sh", "exit 5"), "veth0", "198.18.0.100");
        runner.Enqueue(missing);
        Assert.Null(await missingDone.WaitAsync(TestTimeouts.Default));
        runner.Enqueue(ok);
        Assert.Equal(5, await okDone.WaitAsync(TestTimeouts.Default));
        Assert.Contains(_log.Collector.GetSnapshot(), l => l.Message.StartsWith("Unable to exec ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Enqueue_SlowScript_NeverBlocksAndRunsInOrder()
    {
        var order = Path.Combine(_dir, "order");
        var started = Path.Combine(_dir, "started");
        var slow = Script("slow.sh", $"touch '{started}'; sleep 2; echo slow >> '{order}'");
        var fast = Script("fast.sh", $"echo fast >> '{order}'");
        await using var runner = new ScriptRunner(_log, TimeSpan.FromSeconds(10));
        var (first, firstDone) = Request(slow, "veth0", "198.18.0.100");
        var (second, secondDone) = Request(fast, "veth0", "198.18.0.100");
        var sw = Stopwatch.StartNew();
        runner.Enqueue(first);
        // Once the first runs, the second waits behind it (a request that has not started yet is replaced by a newer one).
        await Eventually.TrueAsync(() => File.Exists(started), "the slow script started");
        var enqueue = Stopwatch.StartNew();
        runner.Enqueue(second);
        var enqueueTime = enqueue.Elapsed;
        Assert.True(enqueueTime < TimeSpan.FromMilliseconds(500), $"Enqueue took {enqueueTime}");
        Assert.False(firstDone.IsCompleted);
        await Task.WhenAll(firstDone, secondDone).WaitAsync(TestTimeouts.Default);
        Assert.True(sw.Elapsed >= TimeSpan.FromSeconds(2));
        Assert.Equal(["slow", "fast"], File.ReadAllLines(order));
    }

    [Fact]
    public async Task Completed_CallbackThrows_NextScriptStillRuns()
    {
        await using var runner = new ScriptRunner(_log, TimeSpan.FromSeconds(10));
        var thrown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        runner.Enqueue(new ScriptRequest(Script("a.sh", "exit 0"), ["veth0", "198.18.0.100"], code =>
        {
            thrown.TrySetResult();
            throw new InvalidOperationException($"boom after {code}");
        }));
        await thrown.Task.WaitAsync(TestTimeouts.Default);
        var (next, nextDone) = Request(Script("b.sh", "exit 1"), "veth0", "198.18.0.100");
        runner.Enqueue(next);
        Assert.Equal(1, await nextDone.WaitAsync(TestTimeouts.Default));
        Assert.Contains(_log.Collector.GetSnapshot(), l => l.Level == LogLevel.Error && l.Message == "Script completion callback failed");
    }

    [Fact]
    public void CommandLine_JoinsPathAndArguments() =>
        Assert.Equal("/etc/vip-up.sh eth0 10.0.0.1", new ScriptRequest("/etc/vip-up.sh", ["eth0", "10.0.0.1"]).CommandLine);
}
