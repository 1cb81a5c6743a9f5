using Appliance.Engine.Health;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Engine.Tests.Health;

public sealed class HealthMonitorTests
{
    private const string Key = "eth0/3";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private sealed class ScriptedProbe(Func<int, CancellationToken, Task<HealthProbeResult>> script) : IHealthProbe
    {
        private int _calls;
        public int Calls => Volatile.Read(ref _calls);

        public Task<HealthProbeResult> ProbeAsync(HealthCheckConfig check, CancellationToken cancellationToken) =>
            script(Interlocked.Increment(ref _calls), cancellationToken);
    }

    private static HealthCheckConfig Web(int rise = 2, int fall = 3) =>
        new("web", HealthCheckKind.Http, "http://127.0.0.1/", Interval, TimeSpan.FromSeconds(1), Rise: rise, Fall: fall);

    private static Dictionary<string, IReadOnlyList<HealthCheckConfig>> Checks(params HealthCheckConfig[] checks) =>
        new() { [Key] = checks };

    /// <summary>Advances fake time one interval at a time until <paramref name="done"/>; bounded in steps and wall time.</summary>
    private static async Task DriveUntil(FakeTimeProvider time, TimeSpan step, Func<bool> done)
    {
        for (var i = 0; i < 400 && !done(); i++)
        {
            await Task.Delay(5);
            time.Advance(step);
        }
        Assert.True(done(), "condition not reached within 400 steps");
    }

    [Fact]
    public async Task Monitor_FailingCheck_DemotesAtFallAndRestoresAtRise()
    {
        var time = new FakeTimeProvider();
        var probe = new ScriptedProbe((n, _) => Task.FromResult(n <= 3
            ? HealthProbeResult.Failed("GET http://127.0.0.1/ returned 503, expected 200")
            : HealthProbeResult.Ok("GET http://127.0.0.1/ returned 200")));
        var engine = new FakeCarpEngine().WithVhid(Key);
        var probesAtDemotion = new System.Collections.Concurrent.ConcurrentQueue<int>();
        engine.Demoted = _ => probesAtDemotion.Enqueue(probe.Calls);
        await using var monitor = new HealthMonitor(engine, probe, time);

        monitor.Apply(Checks(Web()));
        await DriveUntil(time, Interval, () => engine.Demotions.Count >= 2);

        var demotions = engine.Demotions.ToArray();
        Assert.Equal(Key, demotions[0].Key);
        Assert.Equal("check web", demotions[0].Source);
        Assert.Equal("HTTP check web: GET http://127.0.0.1/ returned 503, expected 200 (3 failures in a row)", demotions[0].Reason);
        Assert.Null(demotions[1].Reason);
        Assert.Equal(2, demotions.Length);
        // Demoted at the third failure, restored at the second success (fall 3, rise 2).
        Assert.Equal([3, 5], probesAtDemotion);
    }

    [Fact]
    public async Task Monitor_ProbeOutlastsTimeout_CountsAsTimedOutFailure()
    {
        var time = new FakeTimeProvider();
        var probe = new ScriptedProbe(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return HealthProbeResult.Ok("unreachable");
        });
        var engine = new FakeCarpEngine().WithVhid(Key);
        await using var monitor = new HealthMonitor(engine, probe, time);

        monitor.Apply(Checks(Web(fall: 1)));
        await DriveUntil(time, TimeSpan.FromMilliseconds(500), () => !engine.Demotions.IsEmpty);

        Assert.Equal("HTTP check web: GET http://127.0.0.1/ timed out after 1 s (1 failure in a row)", Assert.Single(engine.Demotions).Reason);
    }

    [Fact]
    public async Task Monitor_Snapshot_ShowsLastResultAndCounts()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var probe = new ScriptedProbe((_, _) => Task.FromResult(HealthProbeResult.Failed("connect to 127.0.0.1:5432 failed: Connection refused")));
        var engine = new FakeCarpEngine().WithVhid(Key);
        await using var monitor = new HealthMonitor(engine, probe, time);
        var db = new HealthCheckConfig("db", HealthCheckKind.Tcp, "127.0.0.1:5432", Interval, TimeSpan.FromSeconds(1), Fall: 2);

        monitor.Apply(Checks(db));
        await DriveUntil(time, Interval, () => !engine.Demotions.IsEmpty);

        var status = Assert.Single(monitor.Snapshot(Key));
        Assert.Equal("db", status.Name);
        Assert.Equal(HealthCheckKind.Tcp, status.Kind);
        Assert.False(status.Healthy);
        Assert.True(status.ConsecutiveFailures >= 2);
        Assert.StartsWith("TCP check db: connect to 127.0.0.1:5432 failed: Connection refused", status.LastResult, StringComparison.Ordinal);
        Assert.Equal("TCP check db: connect to 127.0.0.1:5432 failed: Connection refused (2 failures in a row)", status.DemotionReason);
        Assert.NotNull(status.LastRun);
        Assert.Empty(monitor.Snapshot("eth9/9"));
    }

    [Fact]
    public async Task Apply_CheckRemovedWhileDemoted_LiftsTheDemotion()
    {
        var time = new FakeTimeProvider();
        var probe = new ScriptedProbe((_, _) => Task.FromResult(HealthProbeResult.Failed("boom")));
        var engine = new FakeCarpEngine().WithVhid(Key);
        await using var monitor = new HealthMonitor(engine, probe, time);
        monitor.Apply(Checks(Web(fall: 1)));
        await DriveUntil(time, Interval, () => !engine.Demotions.IsEmpty);

        monitor.Apply(new Dictionary<string, IReadOnlyList<HealthCheckConfig>>());

        var last = engine.Demotions.Last();
        Assert.Equal(("check web", (string?)null), (last.Source, last.Reason));
        Assert.Empty(monitor.Snapshot(Key));
    }

    [Fact]
    public async Task Apply_SameConfigAgain_KeepsCounts()
    {
        var time = new FakeTimeProvider();
        var probe = new ScriptedProbe((_, _) => Task.FromResult(HealthProbeResult.Failed("boom")));
        var engine = new FakeCarpEngine().WithVhid(Key);
        await using var monitor = new HealthMonitor(engine, probe, time);
        monitor.Apply(Checks(Web(fall: 1)));
        await DriveUntil(time, Interval, () => !engine.Demotions.IsEmpty);

        monitor.Apply(Checks(Web(fall: 1)));

        Assert.False(Assert.Single(monitor.Snapshot(Key)).Healthy);
        Assert.Single(engine.Demotions);
    }

    [Fact]
    public async Task Monitor_EngineDoesNotKnowTheVhidYet_RetriesTheDemotion()
    {
        var time = new FakeTimeProvider();
        var probe = new ScriptedProbe((_, _) => Task.FromResult(HealthProbeResult.Failed("boom")));
        // Not applied: SetDemotion answers "no such VHID".
        var engine = new FakeCarpEngine();
        await using var monitor = new HealthMonitor(engine, probe, time);

        monitor.Apply(Checks(Web(fall: 1)));
        await DriveUntil(time, Interval, () => engine.Demotions.Count >= 2);

        Assert.All(engine.Demotions, d => Assert.NotNull(d.Reason));
    }

    [Fact]
    public async Task Monitor_Changed_RaisedAfterEachRun()
    {
        var time = new FakeTimeProvider();
        var probe = new ScriptedProbe((_, _) => Task.FromResult(HealthProbeResult.Ok("fine")));
        await using var monitor = new HealthMonitor(new FakeCarpEngine(), probe, time);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<HealthCheckStatus>();
        monitor.Changed += seen.Enqueue;

        monitor.Apply(Checks(Web()));
        await DriveUntil(time, Interval, () => seen.Count >= 3);

        Assert.All(seen, s => Assert.True(s.Healthy));
        Assert.Equal([1, 2, 3], seen.Take(3).Select(s => s.ConsecutiveSuccesses));
    }

    [Fact]
    public async Task Apply_InvalidCheck_ThrowsNamingVhidCheckAndField()
    {
        await using var monitor = new HealthMonitor(new FakeCarpEngine(), new ScriptedProbe((_, _) => Task.FromResult(HealthProbeResult.Ok(""))), new FakeTimeProvider());
        var bad = new HealthCheckConfig("db", HealthCheckKind.Tcp, "nowhere", Interval, TimeSpan.FromSeconds(1));

        var ex = Assert.Throws<ArgumentException>(() => monitor.Apply(Checks(bad, bad)));

        Assert.Contains("eth0/3 check 'db': Target", ex.Message, StringComparison.Ordinal);
        Assert.Contains("used twice", ex.Message, StringComparison.Ordinal);
    }
}
