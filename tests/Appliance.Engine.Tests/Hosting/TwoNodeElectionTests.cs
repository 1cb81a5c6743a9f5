using System.Net;
using Appliance.Engine.Hosting;
using Appliance.Engine.StateMachine;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Engine.Tests.Hosting;

/// <summary>
/// Two whole engines on one in-memory segment under one fake clock: the election, takeover and
/// preemption of docs/carp-protocol.md, to the millisecond and without a network namespace.
/// </summary>
public sealed class TwoNodeElectionTests : IAsyncDisposable
{
    private const string Interface = "veth0";
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);
    private static readonly IPAddress Vip = IPAddress.Parse("198.18.0.100");

    private readonly FakeTimeProvider _time = new();
    private readonly InMemorySegment _segment = new();
    private readonly List<CarpEngine> _engines = [];

    private sealed record Host(CarpEngine Engine, InMemorySegment.Node Node)
    {
        public VhidStatus Status => Assert.Single(Engine.Snapshot());
        public CarpState State => Status.State;
        public bool HoldsVip => Node.HasAddress(Interface, Vip);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var engine in _engines)
        {
            await Drive(engine.DisposeAsync().AsTask());
        }
    }

    private static VhidConfig Config(byte advskew, bool preempt = true) => new()
    {
        Interface = Interface,
        Vhid = 1,
        Password = "pw123",
        VirtualAddress = Vip,
        AdvSkew = advskew,
        Preempt = preempt,
        ManageVip = true,
    };

    private async Task<Host> StartAsync(string address, VhidConfig config)
    {
        var node = _segment.AddNode(Interface, IPAddress.Parse(address));
        var engine = new CarpEngine(node, _time, NullLoggerFactory.Instance);
        _engines.Add(engine);
        await engine.ApplyAsync([config], CancellationToken.None).WaitAsync(TestTimeouts.Default);
        return new Host(engine, node);
    }

    /// <summary>The clock and the wire in turn: advance one step, deliver what was sent in it.</summary>
    private void Run(TimeSpan duration)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += Step)
        {
            _time.Advance(Step);
            _segment.Deliver();
        }
    }

    /// <summary>Runs the clock until <paramref name="at"/> (a fake instant), in steps.</summary>
    private void RunUntil(DateTimeOffset at) => Run(at - _time.GetUtcNow());

    private async Task Drive(Task task)
    {
        for (var i = 0; i < 1000 && !task.IsCompleted; i++)
        {
            Run(Step);
            await Task.Yield();
        }
        await task.WaitAsync(TestTimeouts.Default);
    }

    /// <summary>198.18.0.1 (advskew 0) and 198.18.0.2 (advskew 100) start together and run for 6 s.</summary>
    private async Task<(Host Preferred, Host Other)> ElectAsync()
    {
        var preferred = await StartAsync("198.18.0.1", Config(advskew: 0));
        var other = await StartAsync("198.18.0.2", Config(advskew: 100));
        Run(TimeSpan.FromSeconds(6));
        return (preferred, other);
    }

    [Fact]
    public async Task Election_PreferredNode_BecomesMasterOtherStaysBackup()
    {
        var (preferred, other) = await ElectAsync();

        Assert.Equal(CarpState.Master, preferred.State);
        Assert.Equal(CarpState.Backup, other.State);
        Assert.True(preferred.HoldsVip);
        Assert.False(other.HoldsVip);
        Assert.Equal(IPAddress.Parse("198.18.0.1"), other.Status.LastPeer?.Source);
        Assert.NotEmpty(preferred.Node.GratuitousArps);
        Assert.All(preferred.Node.GratuitousArps, a => Assert.Equal(Vip, a));
        Assert.Empty(other.Node.GratuitousArps);
    }

    [Fact]
    public async Task UnicastPeers_PairElectsOneMasterAndAMulticastNodeIsNeitherHeardNorHearing()
    {
        // docs/carp-protocol.md, 5.4 Unicast peers: the third node stands for ucarp, which knows only the group.
        var preferred = await StartAsync("198.18.0.1", Config(advskew: 0) with { Peers = new Engine.Protocol.CarpPeers([IPAddress.Parse("198.18.0.2")]) });
        var other = await StartAsync("198.18.0.2", Config(advskew: 100) with { Peers = new Engine.Protocol.CarpPeers([IPAddress.Parse("198.18.0.1")]) });
        var multicast = await StartAsync("198.18.0.3", Config(advskew: 50));
        Run(TimeSpan.FromSeconds(6));

        Assert.Equal(CarpState.Master, preferred.State);
        Assert.Equal(CarpState.Backup, other.State);
        Assert.Equal(IPAddress.Parse("198.18.0.1"), other.Status.LastPeer?.Source);
        // The group's adverts reach no unicast socket, and no unicast advert is sent to the group.
        Assert.Equal(CarpState.Master, multicast.State);
        Assert.Null(multicast.Status.LastPeer);
        Assert.Equal(0, multicast.Status.Counters.AdvertsReceived);
        Assert.Empty(preferred.Status.Counters.Drops);
    }

    [Fact]
    public async Task MasterCutOff_BackupTakesOverExactlyAfterMasterDown()
    {
        var (master, backup) = await ElectAsync();
        Assert.Equal(CarpState.Master, master.State);

        master.Node.Disconnect();
        var heard = backup.Status.LastPeer!.HeardAt;
        var masterDown = backup.Status.MasterDown;

        // One step short of master-down after the last advert heard: still waiting.
        RunUntil(heard + masterDown - Step);
        Assert.Equal(CarpState.Backup, backup.State);
        Assert.False(backup.HoldsVip);
        Run(Step + Step);
        Assert.Equal(CarpState.Master, backup.State);
        Assert.True(backup.HoldsVip);
    }

    [Fact]
    public async Task MasterStopsGracefully_BackupTakesOverBeforeMasterDown()
    {
        var (master, backup) = await ElectAsync();
        var stoppedAt = _time.GetUtcNow();

        await Drive(master.Engine.DisposeAsync().AsTask());
        _engines.Remove(master.Engine);

        Assert.Equal(CarpState.Master, backup.State);
        Assert.True(backup.HoldsVip);
        Assert.False(master.HoldsVip);
        // The bow-out advert (advskew 255) hands over at once, not after 3.4 s of silence.
        Assert.True(backup.Status.Since - stoppedAt < backup.Status.MasterDown, $"took over {backup.Status.Since - stoppedAt} after the stop");
    }

    [Fact]
    public async Task Preempt_PreferredNodeJoinsLater_TakesOverFromTheOther()
    {
        var other = await StartAsync("198.18.0.2", Config(advskew: 100));
        Run(TimeSpan.FromSeconds(6));
        Assert.Equal(CarpState.Master, other.State);

        var preferred = await StartAsync("198.18.0.1", Config(advskew: 0, preempt: true));
        Run(TimeSpan.FromSeconds(3));

        Assert.Equal(CarpState.Master, preferred.State);
        Assert.Equal(CarpState.Backup, other.State);
        Assert.True(preferred.HoldsVip);
        Assert.False(other.HoldsVip);
    }

    [Fact]
    public async Task NoPreempt_PreferredNodeJoinsLater_StaysBackup()
    {
        var other = await StartAsync("198.18.0.2", Config(advskew: 100, preempt: false));
        Run(TimeSpan.FromSeconds(6));

        var preferred = await StartAsync("198.18.0.1", Config(advskew: 0, preempt: false));
        Run(TimeSpan.FromSeconds(10));

        Assert.Equal(CarpState.Backup, preferred.State);
        Assert.Equal(CarpState.Master, other.State);
        Assert.True(other.HoldsVip);
        Assert.False(preferred.HoldsVip);
    }
}
