using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using Appliance.Engine.Scripts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Appliance.Engine.Tests.Scripts;

/// <summary>
/// The runner's bound (docs/carp-protocol.md, 6.11; docs/limits.md): one script running, one waiting, a newer
/// request replacing the waiting one. Real scripts; the slow one waits for a file the test creates (bounded loop).
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class ScriptRunnerCoalescingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scriptrunner-coalesce-").FullName;
    private readonly FakeLogger _log = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Order => Path.Combine(_dir, "order");

    private string Started => Path.Combine(_dir, "started");

    private string Release => Path.Combine(_dir, "release");

    private string Script(string name, string body)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "#!/bin/bash\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>Records its start, then waits (at most 15 s) for the test's release file.</summary>
    private string GatedScript() => Script("slow.sh",
        $"touch '{Started}'; for i in $(seq 300); do [ -e '{Release}' ] && break; sleep 0.05; done; echo \"slow $2\" >> '{Order}'");

    private string RecordingScript(string name) => Script(name, $"echo \"{name} $2\" >> '{Order}'");

    private static (ScriptRequest Request, Task<int?> Done) Request(string path, string argument)
    {
        var tcs = new TaskCompletionSource<int?>(TaskCreationOptions.RunContinuationsAsynchronously);
        return (new ScriptRequest(path, ["veth0", argument], code => tcs.TrySetResult(code)), tcs.Task);
    }

    private async Task StartGatedAsync(ScriptRunner runner, List<Task<int?>> done)
    {
        var (slow, slowDone) = Request(GatedScript(), "0");
        done.Add(slowDone);
        runner.Enqueue(slow);
        await Eventually.TrueAsync(() => File.Exists(Started), "the slow script started");
    }

    [Fact]
    public async Task Enqueue_FlappingBurstWhileASlowScriptRuns_OnlyTheLastRequestRunsAfterIt()
    {
        var up = RecordingScript("up.sh");
        var down = RecordingScript("down.sh");
        await using var runner = new ScriptRunner(_log, TimeSpan.FromSeconds(30));
        var done = new List<Task<int?>>();
        await StartGatedAsync(runner, done);

        for (var i = 1; i <= 50; i++)
        {
            var (request, completed) = Request(i % 2 == 1 ? up : down, i.ToString(CultureInfo.InvariantCulture));
            done.Add(completed);
            runner.Enqueue(request);
        }
        File.WriteAllText(Release, "");
        var codes = await Task.WhenAll(done).WaitAsync(TestTimeouts.Default);

        // Two runs: the slow one, then request 50 (a down); the 49 in between never ran.
        Assert.Equal(["slow 0", "down.sh 50"], File.ReadAllLines(Order));
        Assert.Equal(51, codes.Length);
        Assert.Equal(0, codes[0]);
        Assert.Equal(0, codes[50]);
        Assert.All(codes[1..50], code => Assert.Null(code));
        Assert.Equal(49, runner.SupersededRuns);
        var superseded = _log.Collector.GetSnapshot().Where(l => l.Message.EndsWith(": superseded by a newer transition", StringComparison.Ordinal)).ToList();
        Assert.Equal(49, superseded.Count);
        Assert.All(superseded, l => Assert.Equal(LogLevel.Warning, l.Level));
        Assert.Equal($"Not running [{up} veth0 1]: superseded by a newer transition", superseded[0].Message);
        Assert.Equal($"Not running [{up} veth0 49]: superseded by a newer transition", superseded[^1].Message);
    }

    [Fact]
    public async Task Enqueue_OneWaitingBehindASlowScript_RunsAfterItAndNothingIsSuperseded()
    {
        var down = RecordingScript("down.sh");
        await using var runner = new ScriptRunner(_log, TimeSpan.FromSeconds(30));
        var done = new List<Task<int?>>();
        await StartGatedAsync(runner, done);
        var (request, completed) = Request(down, "1");
        done.Add(completed);
        runner.Enqueue(request);
        File.WriteAllText(Release, "");

        Assert.Equal([0, 0], await Task.WhenAll(done).WaitAsync(TestTimeouts.Default));
        Assert.Equal(["slow 0", "down.sh 1"], File.ReadAllLines(Order));
        Assert.Equal(0, runner.SupersededRuns);
    }

    [Fact]
    public async Task DisposeAsync_WhileASlowScriptRuns_WaitsForTheWaitingDownScript()
    {
        // Shutdown as CarpInstance does it: the downscript is the last request, then the runner is disposed.
        var up = RecordingScript("up.sh");
        var down = RecordingScript("down.sh");
        var runner = new ScriptRunner(_log, TimeSpan.FromSeconds(30));
        var done = new List<Task<int?>>();
        await StartGatedAsync(runner, done);
        var (upRequest, upDone) = Request(up, "1");
        var (downRequest, downDone) = Request(down, "2");
        runner.Enqueue(upRequest);
        runner.Enqueue(downRequest);

        var disposing = runner.DisposeAsync().AsTask();
        Assert.False(disposing.IsCompleted);
        File.WriteAllText(Release, "");
        await disposing.WaitAsync(TestTimeouts.Default);

        Assert.True(downDone.IsCompletedSuccessfully && upDone.IsCompletedSuccessfully);
        Assert.Equal(0, await downDone);
        Assert.Null(await upDone);
        Assert.Equal(["slow 0", "down.sh 2"], File.ReadAllLines(Order));
    }

    [Fact]
    public async Task Enqueue_SupersededCallbackBlocks_EnqueueStillReturnsAtOnce()
    {
        // The engine enqueues under its state machine's lock: a superseded request's callback runs elsewhere.
        var up = RecordingScript("up.sh");
        await using var runner = new ScriptRunner(_log, TimeSpan.FromSeconds(30));
        var done = new List<Task<int?>>();
        await StartGatedAsync(runner, done);
        using var gate = new ManualResetEventSlim();
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocking = new ScriptRequest(up, ["veth0", "1"], _ =>
        {
            called.TrySetResult();
            gate.Wait(TimeSpan.FromSeconds(5));
        });
        var (last, lastDone) = Request(up, "2");

        var clock = Stopwatch.StartNew();
        runner.Enqueue(blocking);
        runner.Enqueue(last);
        var took = clock.Elapsed;
        await called.Task.WaitAsync(TestTimeouts.Default);

        Assert.True(took < TimeSpan.FromSeconds(1), $"Enqueue took {took}");
        Assert.False(gate.IsSet);
        gate.Set();
        File.WriteAllText(Release, "");
        Assert.Equal(0, await lastDone.WaitAsync(TestTimeouts.Default));
        Assert.Equal(["slow 0", "up.sh 2"], File.ReadAllLines(Order));
    }

    [Fact]
    public async Task Enqueue_AfterDispose_NotRunAndCompletedWithNull()
    {
        var up = RecordingScript("up.sh");
        var runner = new ScriptRunner(_log, TimeSpan.FromSeconds(30));
        await runner.DisposeAsync();
        var (request, done) = Request(up, "1");

        runner.Enqueue(request);

        Assert.Null(await done.WaitAsync(TestTimeouts.Default));
        Assert.False(File.Exists(Order));
        Assert.Contains(_log.Collector.GetSnapshot(), l => l.Message == $"Not running [{up} veth0 1]: the script runner is stopped");
    }
}
