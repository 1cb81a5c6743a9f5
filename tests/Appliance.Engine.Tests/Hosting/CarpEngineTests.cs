using System.Collections.Concurrent;
using System.Net;
using Appliance.Engine.Diagnostics;
using Appliance.Engine.Hosting;
using Appliance.Engine.Protocol;
using Appliance.Engine.StateMachine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Engine.Tests.Hosting;

public sealed class CarpEngineTests : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly IPAddress Own = IPAddress.Parse("198.18.0.1");
    private static readonly IPAddress PeerAddress = IPAddress.Parse("198.18.0.2");
    private readonly FakeTimeProvider _time = new();
    private readonly FakeDataPlane _plane = new("veth0");
    private readonly FakeLogCollector _log = new();
    private readonly ILoggerFactory _loggers;
    private readonly CarpEngine _engine;
    private readonly CancellationTokenSource _cts = new(TimeSpan.FromSeconds(60));

    public CarpEngineTests()
    {
        _loggers = FakeLogs.Factory(_log);
        _engine = new CarpEngine(_plane, _time, _loggers);
    }

    public async ValueTask DisposeAsync()
    {
        await Drive(_engine.DisposeAsync().AsTask());
        _loggers.Dispose();
        _cts.Dispose();
    }

    private static VhidConfig Config(byte vhid = 1, byte advskew = 0) => new()
    {
        Interface = "veth0",
        Vhid = vhid,
        Password = "pw123",
        VirtualAddress = IPAddress.Parse($"198.18.0.{100 + vhid}"),
        AdvSkew = advskew,
        ManageVip = true,
    };

    /// <summary>Advances the fake clock in small steps until <paramref name="task"/> completes (bounded).</summary>
    private async Task Drive(Task task)
    {
        for (var i = 0; i < 400 && !task.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(2);
        }
        await task.WaitAsync(Wait);
    }

    private VhidStatus Status(string key) => _engine.Snapshot().Single(s => s.Key == key);

    private async Task StartAsMaster(params VhidConfig[] configs)
    {
        await _engine.ApplyAsync(configs, _cts.Token).WaitAsync(Wait);
        _time.Advance(configs.Max(c => CarpTiming.MasterDown(c.AdvBase, c.AdvSkew, c.DeadRatio)));
        Assert.All(_engine.Snapshot(), s => Assert.Equal(CarpState.Master, s.State));
    }

    private sealed class Recorder
    {
        public ConcurrentQueue<EngineEvent> Events { get; } = new();

        public static Recorder Watch(ICarpEngine engine, CancellationToken token)
        {
            var recorder = new Recorder();
            var e = engine.WatchAsync(token).GetAsyncEnumerator(token);
            // The first MoveNextAsync runs the iterator up to its first await: the subscription exists on return.
            var first = e.MoveNextAsync();
            _ = recorder.PumpAsync(e, first);
            return recorder;
        }

        private async Task PumpAsync(IAsyncEnumerator<EngineEvent> e, ValueTask<bool> first)
        {
            try
            {
                var more = await first;
                while (more)
                {
                    Events.Enqueue(e.Current);
                    more = await e.MoveNextAsync();
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                await e.DisposeAsync();
            }
        }

        public List<TransitionRecord> Transitions(string key) =>
            Events.OfType<EngineEvent.Transitioned>().Select(t => t.Transition).Where(t => t.Key == key).ToList();
    }

    [Fact]
    public async Task ApplyAsync_EmptyConfig_NothingOpenedOrSent()
    {
        await _engine.ApplyAsync([], _cts.Token).WaitAsync(Wait);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(_plane.Channels);
        Assert.Empty(_plane.GratuitousArps);
        Assert.Empty(_plane.AddressOps);
        Assert.Empty(_engine.Snapshot());
    }

    [Fact]
    public async Task ApplyAsync_LoneVhid_BecomesMasterAddsLabelledVipAndAdvertises()
    {
        var config = Config(vhid: 7);
        await _engine.ApplyAsync([config], _cts.Token).WaitAsync(Wait);
        Assert.Equal(CarpState.Backup, Status("veth0/7").State);
        var channel = Assert.Single(_plane.Channels);
        Assert.Equal(new Transport.CarpChannelOptions("veth0", Own, IPAddress.Parse("224.0.0.18"), false), channel.Options);
        Assert.Empty(channel.Sent);

        _time.Advance(TimeSpan.FromSeconds(3));
        var status = Status("veth0/7");
        Assert.Equal(CarpState.Master, status.State);
        Assert.Equal("veth0:ucarp", _plane.LabelOf("veth0", config.VirtualAddress));
        Assert.Contains("add veth0 198.18.0.107/32 veth0:ucarp", _plane.AddressOps);
        Assert.Equal([("veth0", config.VirtualAddress)], _plane.GratuitousArps);
        var sent = Assert.Single(channel.Sent);
        Assert.Equal(1, status.Counters.AdvertsSent);

        // What went out is a valid advert a peer accepts: vhid 7, (1, 0), signed with the password and VIP.
        var packet = new byte[Ipv4Header.Length + CarpCodec.CarpLength];
        Ipv4Header.Write(packet, Own, config.MulticastGroup, 1, CarpCodec.CarpLength);
        sent.CopyTo(packet, Ipv4Header.Length);
        var filter = new CarpReceiveFilter(PeerAddress, 7, config.MulticastGroup, new CarpAuthenticator("pw123", config.VirtualAddress));
        Assert.True(CarpCodec.TryDecode(packet, filter, out var advert, out var reason, out _), reason.ToString());
        Assert.Equal((7, 1, 0), (advert.Vhid, advert.AdvBase, advert.AdvSkew));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, channel.Sent.Count);
    }

    [Fact]
    public async Task ApplyAsync_UnchangedConfig_KeepsRunningInstance()
    {
        var recorder = Recorder.Watch(_engine, _cts.Token);
        await StartAsMaster(Config());
        await Eventually.TrueAsync(() => recorder.Transitions("veth0/1").Count == 2, "two transitions");
        var before = Status("veth0/1");

        await _engine.ApplyAsync([Config() with { }], _cts.Token).WaitAsync(Wait);
        // Whatever a restart would set off happens on the engine's clock: one advert interval of it.
        _time.Advance(TimeSpan.FromSeconds(1));
        var after = Status("veth0/1");
        Assert.Equal(CarpState.Master, after.State);
        Assert.Equal(before.Since, after.Since);
        Assert.Single(_plane.Channels);
        Assert.False(_plane.Channels[0].Disposed);
        Assert.Equal(2, recorder.Transitions("veth0/1").Count);
        Assert.DoesNotContain(_plane.AddressOps, op => op.StartsWith("del", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ApplyAsync_ChangedAdvskew_RestartsOnlyThatVhid()
    {
        await StartAsMaster(Config(vhid: 1), Config(vhid: 2));
        var sinceOne = Status("veth0/1").Since;
        Assert.Equal(2, _plane.Channels.Count);

        await Drive(_engine.ApplyAsync([Config(vhid: 1), Config(vhid: 2, advskew: 50)], _cts.Token));

        var channels = _plane.Channels;
        Assert.Equal(3, channels.Count);
        Assert.False(channels[0].Disposed);
        Assert.True(channels[1].Disposed);
        Assert.False(channels[2].Disposed);
        Assert.Equal(CarpState.Master, Status("veth0/1").State);
        Assert.Equal(sinceOne, Status("veth0/1").Since);
        Assert.Equal(50, Status("veth0/2").Config.AdvSkew);
        // The old vhid 2 bowed out and released its VIP; vhid 1's VIP was never touched.
        Assert.Equal((255, 255), (channels[1].Sent[^1][5], channels[1].Sent[^1][2]));
        Assert.Contains("del veth0 198.18.0.102/32", _plane.AddressOps);
        Assert.DoesNotContain("del veth0 198.18.0.101/32", _plane.AddressOps);
    }

    [Fact]
    public async Task ApplyAsync_RemovedMasterWithoutPeer_BowsOutReleasesVipAndStops()
    {
        var recorder = Recorder.Watch(_engine, _cts.Token);
        await StartAsMaster(Config());
        var channel = _plane.Channels[0];

        await Drive(_engine.ApplyAsync([], _cts.Token));

        Assert.Empty(_engine.Snapshot());
        Assert.True(channel.Disposed);
        Assert.Equal((255, 255), (channel.Sent[^1][5], channel.Sent[^1][2]));
        Assert.Null(_plane.LabelOf("veth0", Config().VirtualAddress));
        Assert.Equal("del veth0 198.18.0.101/32", _plane.AddressOps[^1]);
        await Eventually.TrueAsync(() => recorder.Events.OfType<EngineEvent.Removed>().Any(r => r.Key == "veth0/1"), "Removed event");
        var last = recorder.Transitions("veth0/1")[^1];
        Assert.Equal((CarpState.Master, CarpState.Backup, TransitionCause.Shutdown), (last.From, last.To, last.Cause));
    }

    [Fact]
    public async Task ApplyAsync_RemovedMasterWithPeer_YieldsOnPeerAdvertWithoutWaiting()
    {
        var config = Config();
        await StartAsMaster(config);
        var channel = _plane.Channels[0];
        var apply = _engine.ApplyAsync([], _cts.Token);
        await Eventually.TrueAsync(() => channel.Sent.Count >= 2 && channel.Sent[^1][5] == 255, "bow-out advert");
        Assert.False(apply.IsCompleted);
        Assert.True(_plane.HasAddress("veth0", config.VirtualAddress), "VIP kept until the peer claims it");

        channel.Inject(FakeChannel.Advert(config, PeerAddress, 1, 100, counter: HeardAll(channel)));
        await apply.WaitAsync(Wait);
        Assert.False(_plane.HasAddress("veth0", config.VirtualAddress));
        Assert.Contains(_log.GetSnapshot(), l => l.Message == "Preferred master advertised: going back to BACKUP state");
    }

    [Fact]
    public async Task Start_StaleVipPresent_RemovedBeforeBackup()
    {
        var config = Config();
        _plane.Preconfigure("veth0", config.VirtualAddress, "veth0:ucarp");
        await _engine.ApplyAsync([config], _cts.Token).WaitAsync(Wait);
        Assert.False(_plane.HasAddress("veth0", config.VirtualAddress));
        Assert.Equal(["del veth0 198.18.0.101/32"], _plane.AddressOps);
        Assert.Equal(CarpState.Backup, Status("veth0/1").State);
        Assert.Contains(_log.GetSnapshot(), l => l.Message.Contains("left configured by an earlier run", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReceivedBadPackets_CountedPerReasonAndNeverChangeState()
    {
        var config = Config(advskew: 100);
        await StartAsMaster(config);
        var channel = _plane.Channels[0];
        // Every packet claims a better master (1, 0): acted on, it would make us yield.
        var counter = HeardAll(channel);
        byte[] Good() => FakeChannel.Advert(config, PeerAddress, 1, 0, counter: counter);
        var bad = new List<(DropReason Reason, byte[] Packet)>
        {
            (DropReason.Truncated, Good()[..40]),
            (DropReason.OwnPacket, FakeChannel.Advert(config, Own, 1, 0, 9)),
            (DropReason.NotCarp, With(Good(), p => p[9] = 17)),
            (DropReason.BadTtl, With(Good(), p => p[8] = 64)),
            (DropReason.BadVersion, With(Good(), p => p[Ipv4Header.Length] = 0x31)),
            (DropReason.WrongVhid, FakeChannel.Advert(config, PeerAddress, 1, 0, 9, vhid: 2)),
            (DropReason.WrongDestination, FakeChannel.Advert(config, PeerAddress, 1, 0, 9, destination: Own)),
            (DropReason.BadChecksum, With(Good(), p => p[Ipv4Header.Length + 8] ^= 1)),
            (DropReason.BadDigest, FakeChannel.Advert(config, PeerAddress, 1, 0, 9, password: "wrong")),
        };
        foreach (var (_, packet) in bad)
        {
            channel.Inject(packet);
        }
        channel.Inject(bad[^1].Packet);

        var status = Status("veth0/1");
        Assert.Equal(CarpState.Master, status.State);
        Assert.Equal(0, status.Counters.AdvertsReceived);
        Assert.Null(status.LastPeer);
        foreach (var (reason, _) in bad)
        {
            Assert.Equal(reason == DropReason.BadDigest ? 2 : 1, status.Counters.Drops.GetValueOrDefault(reason));
        }
        Assert.Equal(bad.Count, status.Counters.Drops.Count);
        // Drop lines are written by the instance's log writer, off the receive thread.
        await Eventually.TrueAsync(() => _log.GetSnapshot().Any(l => l.Message == "Bad TTL: [64]"), "the Bad TTL line");

        channel.Inject(Good());
        status = Status("veth0/1");
        Assert.Equal(CarpState.Backup, status.State);
        Assert.Equal(1, status.Counters.AdvertsReceived);
        Assert.Equal(PeerAddress, status.LastPeer?.Source);
    }

    [Fact]
    public async Task UnicastPeers_SocketNamesThePeersStrangerCountedAsNotPeerAndARoutedPeerIsHeard()
    {
        var group = IPAddress.Parse("224.0.0.18");
        var config = Config(advskew: 100) with { Peers = new CarpPeers([PeerAddress]) };
        await StartAsMaster(config);
        var channel = _plane.Channels[0];
        Assert.Equal(new Transport.CarpChannelOptions("veth0", Own, group, false, config.Peers), channel.Options);
        Assert.Contains(_log.GetSnapshot(), l => l.Message.Contains("adverts go to 198.18.0.2 only", StringComparison.Ordinal)
            && l.Message.Contains("a ucarp peer cannot take part", StringComparison.Ordinal));
        var counter = HeardAll(channel);

        // Rightly signed and sent to us, but from an address that is no peer; and the peer's advert sent to the group.
        channel.Inject(FakeChannel.Advert(config, IPAddress.Parse("198.18.0.66"), 1, 0, counter, destination: Own));
        channel.Inject(FakeChannel.Advert(config, PeerAddress, 1, 0, counter, destination: group));

        var status = Status("veth0/1");
        Assert.Equal(CarpState.Master, status.State);
        Assert.Equal(0, status.Counters.AdvertsReceived);
        Assert.Equal(1, status.Counters.Drops[DropReason.NotPeer]);
        Assert.Equal(1, status.Counters.Drops[DropReason.WrongDestination]);
        Assert.EndsWith("drops wrongDestination=1 notPeer=1", _engine.Describe()[1], StringComparison.Ordinal);
        await Eventually.TrueAsync(() => _log.GetSnapshot().Any(l => l.Message == "Ignoring advert from [198.18.0.66]: not a configured peer" && l.Level == LogLevel.Warning),
            "the notPeer warning");

        // The peer, sent to us through a router (TTL 64): heard, and it wins.
        var routed = FakeChannel.Advert(config, PeerAddress, 1, 0, counter, destination: Own);
        routed[8] = 64;
        routed[10] = 0;
        routed[11] = 0;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(routed.AsSpan(10), InternetChecksum.Compute(routed.AsSpan(0, Ipv4Header.Length)));
        channel.Inject(routed);
        status = Status("veth0/1");
        Assert.Equal(CarpState.Backup, status.State);
        Assert.Equal(PeerAddress, status.LastPeer?.Source);
    }

    [Fact]
    public async Task FloodOfBadDigests_CountedExactlyFirstFiveLoggedThenOneSummaryPerInterval()
    {
        var config = Config(advskew: 100);
        await StartAsMaster(config);
        var channel = _plane.Channels[0];
        var forged = FakeChannel.Advert(config, PeerAddress, 1, 0, 9, password: "wrong");
        const int Flood = 10_000;
        for (var i = 0; i < Flood; i++)
        {
            channel.Inject(forged);
        }
        static bool IsDigestLine(FakeLogRecord l) => l.Message.StartsWith("Bad digest", StringComparison.Ordinal);
        bool IsSummary(FakeLogRecord l) => l.Message.StartsWith("suppressed ", StringComparison.Ordinal);

        var status = Status("veth0/1");
        Assert.Equal(CarpState.Master, status.State);
        Assert.Equal(Flood, status.Counters.Drops[DropReason.BadDigest]);
        await Eventually.TrueAsync(() => _log.GetSnapshot().Count(IsDigestLine) == DropLogLimiter.Burst, "the first five lines");

        _time.Advance(DropLogLimiter.DefaultInterval);
        await Eventually.TrueAsync(() => _log.GetSnapshot().Any(IsSummary), "the summary");
        Assert.Equal([$"suppressed {Flood - DropLogLimiter.Burst} bad digest drops in the last 10 s"], _log.GetSnapshot().Where(IsSummary).Select(l => l.Message));
        Assert.Equal(DropLogLimiter.Burst, _log.GetSnapshot().Count(IsDigestLine));

        // A quiet interval: nothing more to say; the next drop is logged in full again.
        _time.Advance(DropLogLimiter.DefaultInterval);
        channel.Inject(forged);
        await Eventually.TrueAsync(() => _log.GetSnapshot().Count(IsDigestLine) == DropLogLimiter.Burst + 1, "a full line after the quiet interval");
        Assert.Single(_log.GetSnapshot(), IsSummary);
        Assert.Equal(Flood + 1, Status("veth0/1").Counters.Drops[DropReason.BadDigest]);
    }

    [Fact]
    public async Task KernelQueueOverflows_ShownAsQueueOverflowDropsAndInTheSigusr1CountersLine()
    {
        var config = Config(advskew: 100);
        await StartAsMaster(config);
        var channel = _plane.Channels[0];
        channel.Inject(FakeChannel.Advert(config, PeerAddress, 1, 0, 9, password: "wrong"));
        Assert.False(Status("veth0/1").Counters.Drops.ContainsKey(DropReason.QueueOverflow));

        channel.KernelDrops = 12;

        var status = Status("veth0/1");
        Assert.Equal(12, status.Counters.Drops[DropReason.QueueOverflow]);
        Assert.Equal(1, status.Counters.Drops[DropReason.BadDigest]);
        var lines = _engine.Describe();
        Assert.Equal(2, lines.Count);
        Assert.Equal("MASTER on veth0 id 1", lines[0]);
        Assert.Equal($"veth0 id 1: adverts sent {status.Counters.AdvertsSent}, received 0; drops badDigest=1 queueOverflow=12", lines[1]);
    }

    /// <summary>The counter of a peer that has heard every advert we sent (ucarp adopts and counts on): our last + 1.</summary>
    private static ulong HeardAll(FakeChannel channel) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(channel.Sent[^1].AsSpan(8, 8)) + 1;

    private static byte[] With(byte[] packet, Action<byte[]> change)
    {
        change(packet);
        return packet;
    }

    [Fact]
    public async Task WatchAsync_StartAndTakeover_DeliversTransitionsAndStatus()
    {
        var recorder = Recorder.Watch(_engine, _cts.Token);
        await StartAsMaster(Config());
        await Eventually.TrueAsync(() => recorder.Transitions("veth0/1").Count == 2, "two transitions");
        var t = recorder.Transitions("veth0/1");
        Assert.Equal((CarpState.Init, CarpState.Backup, TransitionCause.Startup), (t[0].From, t[0].To, t[0].Cause));
        Assert.Equal((CarpState.Backup, CarpState.Master, TransitionCause.MasterDownTimeout), (t[1].From, t[1].To, t[1].Cause));
        Assert.Equal("Switching to state: MASTER", t[1].LogLine);
        Assert.Equal(_time.GetUtcNow(), t[1].At);
        await Eventually.TrueAsync(() => recorder.Events.OfType<EngineEvent.StatusChanged>().Any(s => s.Status.State == CarpState.Master), "status MASTER");
    }

    [Fact]
    public async Task SetMaintenance_MasterWithoutPeer_StatusShowsMaintenanceAndBowsOut()
    {
        var config = Config();
        var recorder = Recorder.Watch(_engine, _cts.Token);
        await StartAsMaster(config);
        Assert.True(_engine.SetMaintenance("veth0/1", true));
        var status = Status("veth0/1");
        Assert.Equal(CarpState.Master, status.State);
        Assert.True(status.Maintenance);
        Assert.Empty(status.Demotions);
        var channel = _plane.Channels[0];
        Assert.Equal((255, 255), (channel.Sent[^1][5], channel.Sent[^1][2]));
        await Eventually.TrueAsync(() => recorder.Events.OfType<EngineEvent.StatusChanged>().Any(s => s.Status.Maintenance && s.Status.State == CarpState.Master), "maintenance status event");

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(CarpState.Master, Status("veth0/1").State);

        channel.Inject(FakeChannel.Advert(config, PeerAddress, 1, 100, counter: HeardAll(channel)));
        status = Status("veth0/1");
        Assert.Equal(CarpState.Backup, status.State);
        Assert.True(status.Maintenance);
        Assert.False(_plane.HasAddress("veth0", config.VirtualAddress));
        await Eventually.TrueAsync(() => recorder.Transitions("veth0/1").Count == 3, "the yield transition");
        Assert.Equal(TransitionCause.AdminAction, recorder.Transitions("veth0/1")[2].Cause);
    }

    [Fact]
    public void SetMaintenance_UnknownKey_ReturnsFalse() =>
        Assert.False(_engine.SetMaintenance("veth9/9", true));

    [Fact]
    public async Task SetDemotion_Master_StatusShowsReason()
    {
        await StartAsMaster(Config());
        Assert.True(_engine.SetDemotion("veth0/1", "check web", "HTTP check web: returned 503"));
        var status = Status("veth0/1");
        Assert.Equal(["HTTP check web: returned 503"], status.Demotions);
        Assert.False(status.Maintenance);
        Assert.False(_engine.SetDemotion("veth0/9", "x", "y"));
    }

    [Fact]
    public async Task LinkDown_Master_GoesBackupAndReleasesVip()
    {
        var config = Config();
        await StartAsMaster(config);
        _plane.SetLink("veth0", false);
        Assert.Equal(CarpState.Backup, Status("veth0/1").State);
        Assert.False(_plane.HasAddress("veth0", config.VirtualAddress));
        _plane.SetLink("veth0", true);
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(CarpState.Master, Status("veth0/1").State);
    }

    [Fact]
    public async Task LinkDown_Backup_CarrierInStatusAndEventsButNoTransition()
    {
        var recorder = Recorder.Watch(_engine, _cts.Token);
        await _engine.ApplyAsync([Config()], _cts.Token).WaitAsync(Wait);
        Assert.True(Status("veth0/1").Carrier);

        _plane.SetLink("veth0", false);
        // The kernel repeats link messages: an unchanged carrier is no new event.
        _plane.SetLink("veth0", false);

        var status = Status("veth0/1");
        Assert.Equal(CarpState.Backup, status.State);
        Assert.False(status.Carrier);
        await Eventually.TrueAsync(() => recorder.Events.OfType<EngineEvent.StatusChanged>().Any(s => !s.Status.Carrier), "status without carrier");
        _plane.SetLink("veth0", true);
        Assert.True(Status("veth0/1").Carrier);
        await Eventually.TrueAsync(() => recorder.Events.OfType<EngineEvent.CarrierChanged>().Count() == 2, "lost and back");
        var changes = recorder.Events.OfType<EngineEvent.CarrierChanged>().Select(c => c.Carrier).ToList();
        Assert.Equal([(false, CarpState.Backup), (true, CarpState.Backup)], changes.Select(c => (c.Up, c.State)));
        Assert.Equal("Carrier lost on veth0: no adverts are sent or heard, BACKUP until it returns", changes[0].LogLine);
        Assert.Equal("Carrier back on veth0", changes[1].LogLine);
        Assert.Equal(("veth0/1", "veth0", (byte)1), (changes[0].Key, changes[0].Interface, changes[0].Vhid));
        // Only the start-up transition: a BACKUP losing its carrier changes no state.
        Assert.Single(recorder.Transitions("veth0/1"));
    }

    [Fact]
    public async Task LinkDown_Master_CarrierEventBeforeTheLinkDownTransition()
    {
        var recorder = Recorder.Watch(_engine, _cts.Token);
        await StartAsMaster(Config());

        _plane.SetLink("veth0", false);

        await Eventually.TrueAsync(() => recorder.Transitions("veth0/1").Count == 3, "the link-down transition");
        var events = recorder.Events.Where(e => e is EngineEvent.CarrierChanged or EngineEvent.Transitioned).ToList();
        var carrier = Assert.IsType<EngineEvent.CarrierChanged>(events[^2]).Carrier;
        Assert.Equal((false, CarpState.Master), (carrier.Up, carrier.State));
        Assert.Equal(TransitionCause.LinkDown, Assert.IsType<EngineEvent.Transitioned>(events[^1]).Transition.Cause);
    }

    [Fact]
    public async Task Start_WithoutCarrier_StatusAndAnEventSayingSo()
    {
        var recorder = Recorder.Watch(_engine, _cts.Token);
        _plane.SetLink("veth0", false);

        await _engine.ApplyAsync([Config() with { IgnoreInterfaceState = true }], _cts.Token).WaitAsync(Wait);

        Assert.False(Status("veth0/1").Carrier);
        await Eventually.TrueAsync(() => recorder.Events.OfType<EngineEvent.CarrierChanged>().Any(), "carrier event");
        var carrier = recorder.Events.OfType<EngineEvent.CarrierChanged>().Single().Carrier;
        Assert.Equal("No carrier on veth0 at start (the interface state is ignored for this VHID)", carrier.LogLine);
        // With the interface state ignored the VHID carries on: MASTER after master-down all the same.
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(CarpState.Master, Status("veth0/1").State);
        Assert.False(Status("veth0/1").Carrier);
    }

    [Fact]
    public async Task ApplyAsync_DuplicateKeys_Throws() =>
        await Assert.ThrowsAsync<ArgumentException>(() => _engine.ApplyAsync([Config(), Config()], _cts.Token).WaitAsync(Wait));

    [Fact]
    public async Task ApplyAsync_NoSourceAddress_FailsWithClearMessage()
    {
        var config = Config() with { Interface = "veth7" };
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => _engine.ApplyAsync([config], _cts.Token).WaitAsync(Wait));
        Assert.Contains("veth7", ex.Message);
        Assert.Empty(_engine.Snapshot());
    }
}
