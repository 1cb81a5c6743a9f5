using System.Net;
using Appliance.Engine.StateMachine;
using static Appliance.Engine.StateMachine.CarpEffect;

namespace Appliance.Engine.Tests.StateMachine;

/// <summary>The replay guard's rules and the cases of docs/replay.md, through the state machine on a fake clock.</summary>
public sealed class ReplayProtectionTests
{
    private const string Peer = "198.18.0.2";
    private const string Attacker = "198.18.0.66";
    private const string Third = "198.18.0.250";

    [Theory]
    [InlineData(0UL, ulong.MaxValue, true)]
    [InlineData(ulong.MaxValue, 0UL, false)]
    [InlineData(5UL, 5UL, false)]
    [InlineData(6UL, 5UL, true)]
    [InlineData(5UL, 6UL, false)]
    [InlineData(1UL << 62, 0UL, true)]
    [InlineData(0UL, 1UL << 62, false)]
    public void IsNewer_SerialNumberArithmetic(ulong a, ulong b, bool newer) => Assert.Equal(newer, ReplayGuard.IsNewer(a, b));

    [Fact]
    public void Master_OwnAdvertReplayedFromAnotherAddressWithAdvskew0_DroppedNoTransition()
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 100));
        h.StartAsMaster();
        h.Time.Advance(CarpTiming.AdvertInterval(1, 100) * 3);
        var sent = h.Take().OfType<SendAdvert>().Select(a => a.Counter).ToList();
        Assert.Equal(3, sent.Count);

        foreach (var counter in sent.Concat([sent[0] - 5000, sent[^1] - 1]))
        {
            var verdict = h.Advert(Attacker, 1, 0, counter);
            Assert.False(verdict.Accepted);
            Assert.Equal(sent[^1], verdict.Newest);
        }
        Assert.Empty(h.Take());
        Assert.Equal(CarpState.Master, h.Machine.State);

        // A peer that heard us (ucarp adopts and counts on) is still heard.
        Assert.True(h.Advert(Peer, 1, 0, sent[^1] + 1).Accepted);
        Assert.Equal(CarpState.Backup, h.Machine.State);
    }

    [Fact]
    public void Backup_DeadMastersLastAdvertReplayed_DroppedAndTakeoverOnTime()
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 100));
        h.Machine.Start(linkUp: true);
        const ulong start = 0x7000_0000_0000_0000;
        for (ulong i = 0; i < 5; i++)
        {
            Assert.True(h.Advert(Peer, 1, 0, start + i).Accepted);
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }
        var masterDown = CarpTiming.MasterDown(1, 100, 3);
        var elapsed = TimeSpan.FromSeconds(1);
        var step = TimeSpan.FromMilliseconds(100);
        var (sent, drops) = (0, 0);
        while (h.Machine.State == CarpState.Backup && elapsed < masterDown + TimeSpan.FromSeconds(5))
        {
            // The attacker replays the last and older captures, from the master's address and from its own.
            drops += h.Advert(Peer, 1, 0, start + 4).Accepted ? 0 : 1;
            drops += h.Advert(Attacker, 1, 0, start + 2).Accepted ? 0 : 1;
            sent += 2;
            h.Time.Advance(step);
            elapsed += step;
        }
        Assert.Equal(CarpState.Master, h.Machine.State);
        // elapsed counts from the dead master's last real advert.
        Assert.InRange(elapsed, masterDown, masterDown + step);
        Assert.True(sent > 40);
        Assert.Equal(sent, drops);
        Assert.Contains(new Transition(CarpState.Backup, CarpState.Master, TransitionCause.MasterDownTimeout, true), h.Take());
        Assert.Equal(start + 5, h.Machine.NewestCounter);
    }

    [Fact]
    public void Backup_RandomModeUcarpMaster_1000RandomAdvertsAllAcceptedRepeatsDropped()
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 100));
        h.Machine.Start(linkUp: true);
        h.Take();
        var rng = new Random(7);
        var counters = new List<ulong>();
        for (var i = 0; i < 1000; i++)
        {
            var counter = (ulong)rng.NextInt64() * 2 + (ulong)rng.Next(2);
            counters.Add(counter);
            var verdict = h.Advert(Peer, 1, 0, counter);
            Assert.True(verdict.Accepted, $"advert {i}");
            Assert.Equal(CounterMode.Random, verdict.PeerMode);
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(CarpState.Backup, h.Machine.State);
        Assert.DoesNotContain(h.Take(), e => e is Transition);

        // Its exact repeats (any of the last 1024), from its address or another, are replays.
        foreach (var counter in new[] { counters[0], counters[500], counters[^1] })
        {
            Assert.False(h.Advert(Peer, 1, 0, counter).Accepted);
            Assert.False(h.Advert(Attacker, 1, 0, counter).Accepted);
        }
        // A random counter that is not newer, from anyone but the random-mode master, is a replay too.
        var older = h.Machine.NewestCounter!.Value - 12345;
        Assert.False(h.Advert(Attacker, 1, 0, older).Accepted);
        Assert.True(h.Advert(Peer, 1, 0, older).Accepted);
    }

    [Fact]
    public void Backup_CounterModeOfTheMaster_SequentialAfterOneStepResetWhenTheAddressChanges()
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 100));
        h.Machine.Start(linkUp: true);
        Assert.Equal(CounterMode.Random, h.Advert(Peer, 1, 0, 1_000_000).PeerMode);
        Assert.Equal(CounterMode.Sequential, h.Advert(Peer, 1, 0, 1_000_001).PeerMode);
        // Stepped by +1 once: an older counter from it is a replay from then on.
        Assert.False(h.Advert(Peer, 1, 0, 999_000).Accepted);
        Assert.True(h.Advert(Peer, 1, 0, 1_000_002).Accepted);

        // A new master counting on from what it adopted is newer, and starts in random mode (no +1 step seen yet);
        // the old master's older counters are replays.
        Assert.True(h.Advert(Third, 1, 0, 1_000_003).Accepted);
        Assert.Equal(CounterMode.Random, h.Advert(Third, 1, 0, 1_000_010).PeerMode);
        Assert.True(h.Advert(Third, 1, 0, 500_000).Accepted);
        Assert.False(h.Advert(Peer, 1, 0, 400_000).Accepted);
    }

    [Fact]
    public void Master_NeverTakesRandomModeExcuse()
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 100));
        h.Machine.Start(linkUp: true);
        h.Advert(Peer, 1, 0, 1_000_000);
        h.Time.Advance(CarpTiming.MasterDown(1, 100, 3));
        Assert.Equal(CarpState.Master, h.Machine.State);
        // We are MASTER: a random-mode counter from the old master that is not newer is a replay.
        Assert.False(h.Advert(Peer, 1, 0, 999_999).Accepted);
        Assert.Equal(CarpState.Master, h.Machine.State);
    }

    [Fact]
    public void Backup_ConstantCookie_DetectedOnceAndDroppedWhenStrict()
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 100));
        h.Machine.Start(linkUp: true);
        h.Take();
        const ulong cookie = 0x1234_5678_9abc_def0;
        var verdicts = Enumerable.Range(0, 6).Select(_ => h.Advert(Peer, 1, 0, cookie)).ToList();
        Assert.Equal([true, false, false, false, false, false], verdicts.Select(v => v.Accepted));
        Assert.Equal(CounterMode.Constant, verdicts[^1].PeerMode);
        var notices = h.Take().OfType<Notice>().ToList();
        Assert.Equal([new Notice(CarpNotice.ConstantCounter, Source: IPAddress.Parse(Peer), Counter: cookie, Relaxed: false)], notices);
    }

    [Fact]
    public void Backup_ConstantCookieRelaxed_AcceptedFromThatSourceOnly()
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 100) with { ReplayCheck = ReplayCheck.Relaxed });
        h.Machine.Start(linkUp: true);
        h.Take();
        const ulong cookie = 0x0fed_cba9_8765_4321;
        var accepted = Enumerable.Range(0, 3).Select(_ => h.Advert(Peer, 1, 0, cookie).Accepted).ToList();
        Assert.Equal([true, false, true], accepted);
        Assert.Contains(new Notice(CarpNotice.ConstantCounter, Source: IPAddress.Parse(Peer), Counter: cookie, Relaxed: true), h.Take());

        // The peer keeps its master role for as long as it sends its cookie: no takeover.
        for (var i = 0; i < 10; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(1));
            Assert.True(h.Advert(Peer, 1, 0, cookie).Accepted);
        }
        Assert.Equal(CarpState.Backup, h.Machine.State);
        Assert.Equal(CounterMode.Constant, h.Advert(Peer, 1, 0, cookie).PeerMode);
        // The cookie from another address, even repeated, stays a replay and leaves the peer's cookie relaxed.
        for (var i = 0; i < 4; i++)
        {
            Assert.False(h.Advert(Attacker, 1, 0, cookie).Accepted);
        }
        Assert.True(h.Advert(Peer, 1, 0, cookie).Accepted);
    }

    [Fact]
    public void LinkRegained_ForgetsNewestKeepsWindow()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.StartAsMaster();
        var newest = h.Machine.NewestCounter!.Value;
        h.Machine.OnLinkChanged(false);
        h.Machine.OnLinkChanged(true);
        Assert.Null(h.Machine.NewestCounter);
        // Our own last advert is still a replay; a new sequence of a segment that restarted meanwhile is heard.
        Assert.False(h.Advert(Peer, 1, 0, newest).Accepted);
        Assert.True(h.Advert(Peer, 1, 0, newest - 100_000).Accepted);
        Assert.Equal(newest - 100_000, h.Machine.NewestCounter);
    }

    [Fact]
    public void Window_HoldsTheLast1024Counters()
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 100));
        h.Machine.Start(linkUp: true);
        var rng = new Random(3);
        var counters = Enumerable.Range(0, ReplayGuard.WindowSize + 10).Select(_ => (ulong)rng.NextInt64()).ToList();
        foreach (var c in counters)
        {
            Assert.True(h.Advert(Peer, 1, 0, c).Accepted);
        }
        // The residual risk of docs/replay.md: a random-mode master's capture older than the window is heard again.
        Assert.True(h.Advert(Peer, 1, 0, counters[0]).Accepted);
        Assert.False(h.Advert(Peer, 1, 0, counters[20]).Accepted);
    }

    [Fact]
    public void Preempt_AdoptsMastersCounterFirst_MasterAcceptsAndYields()
    {
        using var master = MasterWithNewest(MachineHarness.Config(advskew: 100), "198.18.0.1", 0x5555_0000_0000_0000);
        using var backup = new MachineHarness(MachineHarness.Config(advskew: 0, preempt: true), "198.18.0.2");
        backup.Machine.Start(linkUp: true);
        var drops = Run(master, backup, TimeSpan.FromSeconds(4), new Random(1));
        Assert.Equal(0, drops);
        Assert.Equal(CarpState.Backup, master.Machine.State);
        Assert.Equal(CarpState.Master, backup.Machine.State);
        Assert.True(ReplayGuard.IsNewer(backup.Machine.NewestCounter!.Value, 0x5555_0000_0000_0000));
    }

    [Fact]
    public void Restart_FreshBackupOrFreshPreemptingMaster_Converges()
    {
        var rng = new Random(11);
        using var a = MasterWithNewest(MachineHarness.Config(advskew: 0, preempt: true), "198.18.0.1", 0x6000_0000_0000_0000);
        using var b = new MachineHarness(MachineHarness.Config(advskew: 100), "198.18.0.2");
        b.Machine.Start(linkUp: true);
        Assert.Equal(0, Run(a, b, TimeSpan.FromSeconds(5), rng));
        Assert.Equal((CarpState.Master, CarpState.Backup), (a.Machine.State, b.Machine.State));

        // A restarts (a fresh process remembers nothing) and, being faster, times out first with a fresh random
        // counter: B, still following A's sequence at that address, may drop it as a replay and take over too;
        // the two masters then meet and the better one, A, wins (docs/replay.md, Restart).
        using var a2 = new MachineHarness(MachineHarness.Config(advskew: 0, preempt: true), "198.18.0.1");
        a2.Machine.Start(linkUp: true);
        Run(b, a2, TimeSpan.FromSeconds(8), rng);
        Assert.Equal((CarpState.Master, CarpState.Backup), (a2.Machine.State, b.Machine.State));
        Assert.Equal(a2.Machine.NewestCounter, b.Machine.NewestCounter);

        // B restarts: a fresh backup hears A's sequence from its first advert on, no drop.
        using var b2 = new MachineHarness(MachineHarness.Config(advskew: 100), "198.18.0.2");
        b2.Machine.Start(linkUp: true);
        Assert.Equal(0, Run(a2, b2, TimeSpan.FromSeconds(5), rng));
        Assert.Equal((CarpState.Master, CarpState.Backup), (a2.Machine.State, b2.Machine.State));
    }

    [Fact]
    public void SplitBrain_ManyRandomPairsOfCounters_ConvergeToTheBetterMaster()
    {
        var rng = new Random(42);
        for (var i = 0; i < 150; i++)
        {
            var nearWrap = i % 5 == 0;
            var counterA = nearWrap ? ulong.MaxValue - (ulong)rng.Next(4) : (ulong)rng.NextInt64() * 2;
            var counterB = nearWrap ? (ulong)rng.Next(4) : (ulong)rng.NextInt64() * 2 + 1;
            if (i % 2 == 1)
            {
                (counterA, counterB) = (counterB, counterA);
            }
            var skewB = (byte)(i % 3 == 0 ? 0 : 100);
            using var a = MasterWithNewest(MachineHarness.Config(advskew: 0), "198.18.0.1", counterA);
            using var b = MasterWithNewest(MachineHarness.Config(advskew: skewB), "198.18.0.2", counterB);
            // A shifted phase so the two masters' ticks do not coincide in every case.
            a.Time.Advance(TimeSpan.FromMilliseconds(rng.Next(1000)));
            a.Take();
            Run(a, b, TimeSpan.FromSeconds(4), rng);
            // Equal priority: ucarp's tie-break keeps the address that is smaller read little-endian, 198.18.0.1.
            Assert.True((CarpState.Master, CarpState.Backup) == (a.Machine.State, b.Machine.State),
                $"pair {i}: {counterA:x16} / {counterB:x16}, skew {skewB}: {a.Machine.State} / {b.Machine.State}");
            Assert.Equal(a.Machine.NewestCounter, b.Machine.NewestCounter);
        }
    }

    /// <summary>A MASTER whose newest counter is <paramref name="newest"/> (it adopted newest - 1 from a node now gone).</summary>
    private static MachineHarness MasterWithNewest(VhidConfig config, string source, ulong newest)
    {
        var h = new MachineHarness(config, source);
        h.Machine.Start(linkUp: true);
        h.Advert(Third, 1, 255, unchecked(newest - 1));
        if (h.Machine.State != CarpState.Master)
        {
            h.Time.Advance(CarpTiming.MasterDown(config.AdvBase, config.AdvSkew, config.DeadRatio));
        }
        Assert.Equal(CarpState.Master, h.Machine.State);
        Assert.Equal(newest, h.Machine.NewestCounter);
        h.Take();
        return h;
    }

    /// <summary>
    /// Connects two machines for <paramref name="duration"/> in 10 ms steps: each step both outboxes leave together
    /// (neither side has heard the other's yet), in random order. Returns the adverts dropped as replays.
    /// </summary>
    private static int Run(MachineHarness a, MachineHarness b, TimeSpan duration, Random rng)
    {
        var step = TimeSpan.FromMilliseconds(10);
        var drops = Exchange(a, b, rng);
        for (var t = TimeSpan.Zero; t < duration; t += step)
        {
            a.Time.Advance(step);
            b.Time.Advance(step);
            drops += Exchange(a, b, rng);
        }
        return drops;
    }

    /// <summary>Delivers what both sent, and the answers, until neither has anything more to say.</summary>
    private static int Exchange(MachineHarness a, MachineHarness b, Random rng)
    {
        var drops = 0;
        for (var round = 0; round < 10; round++)
        {
            var fromA = a.Take().OfType<SendAdvert>().ToList();
            var fromB = b.Take().OfType<SendAdvert>().ToList();
            if (fromA.Count == 0 && fromB.Count == 0)
            {
                break;
            }
            drops += rng.Next(2) == 0
                ? Deliver(fromA, a, b) + Deliver(fromB, b, a)
                : Deliver(fromB, b, a) + Deliver(fromA, a, b);
        }
        return drops;
    }

    private static int Deliver(List<SendAdvert> adverts, MachineHarness from, MachineHarness to) =>
        adverts.Count(ad => !to.Machine.OnAdvert(from.Machine.SourceAddress, ad.AdvBase, ad.AdvSkew, ad.Counter).Accepted);
}
