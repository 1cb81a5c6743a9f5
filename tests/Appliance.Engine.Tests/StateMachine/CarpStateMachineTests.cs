using System.Net;
using Appliance.Engine.StateMachine;
using Microsoft.Extensions.Time.Testing;
using static Appliance.Engine.StateMachine.CarpEffect;

namespace Appliance.Engine.Tests.StateMachine;

/// <summary>ucarp's state machine and timers (docs/carp-protocol.md, 4 and 6) on a fake clock.</summary>
public class CarpStateMachineTests
{
    private const string Peer = "198.18.0.2";

    [Fact]
    public void Start_Default_GoesBackupAndRunsDownscript()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.Machine.Start(linkUp: true);
        Assert.Equal(CarpState.Backup, h.Machine.State);
        Assert.Equal([new Transition(CarpState.Init, CarpState.Backup, TransitionCause.Startup, true)], h.Take());
    }

    [Fact]
    public void Start_Neutral_GoesBackupWithoutScripts()
    {
        using var h = new MachineHarness(MachineHarness.Config() with { Neutral = true });
        h.Machine.Start(linkUp: true);
        Assert.Equal([new Transition(CarpState.Init, CarpState.Backup, TransitionCause.Startup, false)], h.Take());
    }

    [Fact]
    public void Start_Twice_SecondIsIgnored()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.Machine.Start(linkUp: true);
        h.Take();
        h.Machine.Start(linkUp: true);
        Assert.Empty(h.Take());
    }

    [Fact]
    public void LoneNode_AtMasterDown_BecomesMasterExactlyThenAndNotOneTickBefore()
    {
        using var h = new MachineHarness(MachineHarness.Config(advbase: 1, advskew: 0, deadratio: 3));
        h.Machine.Start(linkUp: true);
        h.Take();
        h.Time.Advance(TimeSpan.FromSeconds(3) - MachineHarness.Tick);
        Assert.Equal(CarpState.Backup, h.Machine.State);
        Assert.Empty(h.Take());
        h.Time.Advance(MachineHarness.Tick);
        Assert.Equal(CarpState.Master, h.Machine.State);
        var fx = h.Take();
        Assert.Equal(3, fx.Count);
        Assert.Equal(new Transition(CarpState.Backup, CarpState.Master, TransitionCause.MasterDownTimeout, true), fx[0]);
        Assert.IsType<SendGratuitousArp>(fx[1]);
        var advert = Assert.IsType<SendAdvert>(fx[2]);
        Assert.Equal((1, 0), (advert.AdvBase, advert.AdvSkew));
    }

    [Fact]
    public void LoneNode_UcarpFormulaWithSkew_MasterDownIsRatioTimesBasePlusSkew()
    {
        // ucarp: 3 x 1 s + 100/256 s = 3.390625 s (the ratio does not scale the skew).
        using var h = new MachineHarness(MachineHarness.Config(advbase: 1, advskew: 100, deadratio: 3));
        h.Machine.Start(linkUp: true);
        h.Time.Advance(TimeSpan.FromMicroseconds(3_390_625) - MachineHarness.Tick);
        Assert.Equal(CarpState.Backup, h.Machine.State);
        h.Time.Advance(MachineHarness.Tick);
        Assert.Equal(CarpState.Master, h.Machine.State);
    }

    [Fact]
    public void Master_Adverts_EveryAdvbasePlusSkewOver256()
    {
        using var h = new MachineHarness(MachineHarness.Config(advbase: 1, advskew: 50));
        h.StartAsMaster();
        // 1 s + 50 x 1 000 000 / 256 us with ucarp's integer division = 1.195312 s (exactly 1.1953125 s less 0.5 us).
        var interval = TimeSpan.FromMicroseconds(1_195_312);
        for (var i = 0; i < 4; i++)
        {
            h.Time.Advance(interval - MachineHarness.Tick);
            Assert.DoesNotContain(h.Take(), e => e is SendAdvert);
            h.Time.Advance(MachineHarness.Tick);
            var advert = Assert.Single(h.Take().OfType<SendAdvert>());
            Assert.Equal((1, 50), (advert.AdvBase, advert.AdvSkew));
        }
    }

    [Fact]
    public void Master_ThirdAdvert_IsFollowedByOneDelayedGratuitousArp()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.StartAsMaster(); // advert 1 (with the immediate GARP)
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([typeof(SendAdvert)], h.Take().Select(e => e.GetType()));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([typeof(SendAdvert), typeof(SendGratuitousArp)], h.Take().Select(e => e.GetType()));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([typeof(SendAdvert)], h.Take().Select(e => e.GetType()));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([typeof(SendAdvert)], h.Take().Select(e => e.GetType()));
    }

    [Fact]
    public void Counter_BeforeAnyAdvertHeard_OneRandomStartWithTopBitClearThenPlusOne()
    {
        // Not ucarp's fresh random counter per advert: monotonic own counters are what the replay guard relies on (docs/replay.md).
        using var h = new MachineHarness(MachineHarness.Config());
        h.Machine.Start(linkUp: true);
        h.Time.Advance(TimeSpan.FromSeconds(3));
        for (var i = 0; i < 5; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }
        var counters = h.Take().OfType<SendAdvert>().Select(a => a.Counter).ToList();
        Assert.Equal(6, counters.Count);
        Assert.True(counters[0] < 1UL << 63);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => counters[0] + (ulong)i), counters);
        Assert.Equal(counters[^1], h.Machine.NewestCounter);
    }

    [Fact]
    public void Counter_TwoFreshMachines_StartFromDifferentRandomValues()
    {
        var starts = Enumerable.Range(0, 4).Select(_ =>
        {
            using var h = new MachineHarness(MachineHarness.Config());
            h.StartAsMaster();
            return h.Machine.NewestCounter;
        }).ToList();
        Assert.Equal(4, starts.Distinct().Count());
    }

    [Fact]
    public void Counter_AfterBackupHearsAdvert_TakeoverSendsHeardPlusOneThenCountsOn()
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 100));
        h.Machine.Start(linkUp: true);
        h.Advert(Peer, 1, 0, counter: 0x34eae5139bc0dbf8);
        h.Time.Advance(TimeSpan.FromMicroseconds(3_390_625));
        Assert.Equal(CarpState.Master, h.Machine.State);
        h.Time.Advance(TimeSpan.FromMicroseconds(1_390_625));
        h.Time.Advance(TimeSpan.FromMicroseconds(1_390_625));
        var counters = h.Take().OfType<SendAdvert>().Select(a => a.Counter).ToList();
        Assert.Equal([0x34eae5139bc0dbf9UL, 0x34eae5139bc0dbfaUL, 0x34eae5139bc0dbfbUL], counters);
    }

    [Fact]
    public void Counter_AdoptedFromWorseMasterWhileMaster_LeapfrogsIt()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.StartAsMaster();
        var theirs = h.Machine.NewestCounter!.Value + 1000;
        h.Advert(Peer, 1, 100, counter: theirs);
        Assert.Equal([theirs + 1], h.Take().OfType<SendAdvert>().Select(a => a.Counter));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([theirs + 2], h.Take().OfType<SendAdvert>().Select(a => a.Counter));
    }

    [Fact]
    public void Counter_AtMaxValue_WrapsToZero()
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 100));
        h.Machine.Start(linkUp: true);
        h.Advert(Peer, 1, 0, counter: ulong.MaxValue);
        h.Time.Advance(CarpTiming.MasterDown(1, 100, 3));
        Assert.Equal(CarpState.Master, h.Machine.State);
        Assert.Equal([0UL], h.Take().OfType<SendAdvert>().Select(a => a.Counter));
        h.Time.Advance(CarpTiming.AdvertInterval(1, 100));
        Assert.Equal([1UL], h.Take().OfType<SendAdvert>().Select(a => a.Counter));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 100)]
    [InlineData(0, 200)]
    public void Backup_EachAdvert_RearmsMasterDown(byte peerBase, byte peerSkew)
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 10));
        var masterDown = CarpTiming.MasterDown(1, 10, 3);
        h.Machine.Start(linkUp: true);
        h.Take();
        for (var i = 0; i < 3; i++)
        {
            h.Time.Advance(masterDown - TimeSpan.FromMilliseconds(1));
            h.Advert(Peer, peerBase, peerSkew);
        }
        Assert.Equal(CarpState.Backup, h.Machine.State);
        Assert.Empty(h.Take());
        h.Time.Advance(masterDown - MachineHarness.Tick);
        Assert.Equal(CarpState.Backup, h.Machine.State);
        h.Time.Advance(MachineHarness.Tick);
        Assert.Equal(CarpState.Master, h.Machine.State);
        Assert.Equal(TransitionCause.MasterDownTimeout, h.Take().OfType<Transition>().Single().Cause);
    }

    [Fact]
    public void Backup_PreemptAndStrictlyBetter_TakesOverAtOnceAndLogsAfterTransition()
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 0, preempt: true));
        h.Machine.Start(linkUp: true);
        h.Take();
        h.Advert(Peer, 1, 100, counter: 7);
        Assert.Equal(CarpState.Master, h.Machine.State);
        var fx = h.Take();
        Assert.Equal(4, fx.Count);
        Assert.Equal(new Transition(CarpState.Backup, CarpState.Master, TransitionCause.Preempt, true), fx[0]);
        Assert.IsType<SendGratuitousArp>(fx[1]);
        Assert.Equal(new SendAdvert(1, 0, 8), fx[2]);
        Assert.Equal(new Notice(CarpNotice.Preempting), fx[3]);
    }

    [Theory]
    [InlineData(1, 0)]   // equal: no preemption (strictly better only)
    [InlineData(0, 100)] // better than us
    public void Backup_PreemptButNotStrictlyBetter_StaysBackup(byte peerBase, byte peerSkew)
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 0, preempt: true));
        h.Machine.Start(linkUp: true);
        h.Take();
        h.Advert(Peer, peerBase, peerSkew);
        Assert.Equal(CarpState.Backup, h.Machine.State);
        Assert.Empty(h.Take());
    }

    [Fact]
    public void Backup_BetterButNoPreemptFlag_StaysBackup()
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 0, preempt: false));
        h.Machine.Start(linkUp: true);
        h.Take();
        h.Advert(Peer, 1, 100);
        Assert.Equal(CarpState.Backup, h.Machine.State);
        Assert.Empty(h.Take());
    }

    [Fact]
    public void Backup_BowOutAdvert_TakesOverAtOnceWithoutPreempt()
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 100, preempt: false));
        h.Machine.Start(linkUp: true);
        h.Take();
        h.Advert(Peer, 255, 255, counter: 41);
        Assert.Equal(CarpState.Master, h.Machine.State);
        var fx = h.Take();
        Assert.Equal(4, fx.Count);
        Assert.Equal(new Transition(CarpState.Backup, CarpState.Master, TransitionCause.MasterBowedOut, true), fx[0]);
        Assert.IsType<SendGratuitousArp>(fx[1]);
        Assert.Equal(new SendAdvert(1, 100, 42), fx[2]);
        Assert.Equal(new Notice(CarpNotice.MasterBowedOut), fx[3]);
    }

    [Theory]
    // Own (1,0) ratio 3: the master would time out when (3 s, 0) < its (advbase, skew).
    [InlineData(0, 3, 0, false)]
    [InlineData(0, 3, 1, true)]
    [InlineData(0, 4, 0, true)]
    // Own (1,100) ratio 3: (3 s, 390625 us) against the master's pair; ratio scales only advbase.
    [InlineData(100, 3, 100, false)]
    [InlineData(100, 3, 101, true)]
    [InlineData(100, 2, 255, false)]
    public void Backup_MasterWorseThanOwnTimeout_TakesOverAsGoingToTimeOut(byte ownSkew, byte peerBase, byte peerSkew, bool takesOver)
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: ownSkew));
        h.Machine.Start(linkUp: true);
        h.Take();
        h.Advert(Peer, peerBase, peerSkew);
        Assert.Equal(takesOver ? CarpState.Master : CarpState.Backup, h.Machine.State);
        var transitions = h.Take().OfType<Transition>().ToList();
        if (takesOver)
        {
            Assert.Equal(TransitionCause.MasterBowedOut, Assert.Single(transitions).Cause);
        }
        else
        {
            Assert.Empty(transitions);
        }
    }

    [Fact]
    public void Master_PreferredMasterAdvertises_ExtraAdvertThenBackupThenLog()
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 50));
        h.StartAsMaster();
        var theirs = h.Machine.NewestCounter!.Value + 500;
        h.Advert(Peer, 1, 0, counter: theirs);
        Assert.Equal(CarpState.Backup, h.Machine.State);
        var fx = h.Take();
        // Not our newest + 1: an independent sequence, so a split brain seen and resolved by yielding.
        Assert.Equal(5, fx.Count);
        Assert.Equal(new SendAdvert(1, 50, theirs + 1), fx[0]);
        Assert.Equal(new Transition(CarpState.Master, CarpState.Backup, TransitionCause.BetterMasterSeen, true), fx[1]);
        Assert.Equal(new Notice(CarpNotice.PreferredMasterSeen), fx[2]);
        Assert.Equal(new SplitBrain(IPAddress.Parse(Peer), Resolved: false), fx[3]);
        Assert.Equal(new SplitBrain(IPAddress.Parse(Peer), Resolved: true), fx[4]);

        // Adverts stopped; master-down is armed again from the yield.
        var masterDown = CarpTiming.MasterDown(1, 50, 3);
        h.Time.Advance(masterDown - MachineHarness.Tick);
        Assert.Empty(h.Take());
        h.Time.Advance(MachineHarness.Tick);
        Assert.Equal(CarpState.Master, h.Machine.State);
    }

    [Fact]
    public void Master_NonPreferredMasterAdvertises_StaysMasterWithGarpAndLog()
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 0));
        h.StartAsMaster();
        h.Advert(Peer, 1, 100);
        Assert.Equal(CarpState.Master, h.Machine.State);
        var fx = h.Take();
        Assert.DoesNotContain(fx, e => e is Transition);
        Assert.IsType<SendGratuitousArp>(fx[0]);
        Assert.Equal(new Notice(CarpNotice.ReassertingVip), fx[1]);
        // ...and another delayed GARP two adverts later (docs/carp-protocol.md, 6.6).
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(h.Take(), e => e is SendGratuitousArp);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([typeof(SendAdvert), typeof(SendGratuitousArp)], h.Take().Select(e => e.GetType()));
    }

    [Fact]
    public void TieKey_LittleEndianRawAddress_OrdersLastOctetFirst()
    {
        // ucarp on x86 compares s_addr read as a little-endian integer (docs/carp-protocol.md, 6.5).
        Assert.True(CarpStateMachine.TieKey(IPAddress.Parse("198.18.1.1")) < CarpStateMachine.TieKey(IPAddress.Parse("198.18.0.2")));
        Assert.True(CarpStateMachine.TieKey(IPAddress.Parse("198.18.0.1")) < CarpStateMachine.TieKey(IPAddress.Parse("198.18.0.2")));
        Assert.Equal(0x010112c6u, CarpStateMachine.TieKey(IPAddress.Parse("198.18.1.1")));
    }

    [Theory]
    // Observed with ucarp: with equal intervals 198.18.1.1 beat 198.18.0.2 (docs/carp-protocol.md, 6.5 and 7.5).
    [InlineData("198.18.0.2", "198.18.1.1", false)]
    [InlineData("198.18.1.1", "198.18.0.2", true)]
    // Within one /24 it agrees with numeric order.
    [InlineData("198.18.0.2", "198.18.0.1", false)]
    [InlineData("198.18.0.1", "198.18.0.2", true)]
    public void Master_EqualPriorityTie_LittleEndianSmallerAddressStaysMaster(string own, string peer, bool ownStaysMaster)
    {
        using var h = new MachineHarness(MachineHarness.Config(), source: own);
        h.StartAsMaster();
        h.Advert(peer, 1, 0);
        Assert.Equal(ownStaysMaster ? CarpState.Master : CarpState.Backup, h.Machine.State);
        var fx = h.Take();
        if (ownStaysMaster)
        {
            Assert.Contains(new Notice(CarpNotice.ReassertingVip), fx);
        }
        else
        {
            Assert.Equal(TransitionCause.BetterMasterSeen, fx.OfType<Transition>().Single().Cause);
        }
    }

    [Fact]
    public void LinkDown_AsMaster_ForcesBackupAndStopsAdvertsUntilLinkUp()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.StartAsMaster();
        h.Machine.OnLinkChanged(up: false);
        Assert.Equal(CarpState.Backup, h.Machine.State);
        var fx = h.Take();
        Assert.Equal(new Transition(CarpState.Master, CarpState.Backup, TransitionCause.LinkDown, true), fx[0]);
        h.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(h.Take());
        Assert.Equal(CarpState.Backup, h.Machine.State);

        h.Machine.OnLinkChanged(up: true);
        h.Take();
        h.Time.Advance(TimeSpan.FromSeconds(3) - MachineHarness.Tick);
        Assert.Equal(CarpState.Backup, h.Machine.State);
        h.Time.Advance(MachineHarness.Tick);
        Assert.Equal(CarpState.Master, h.Machine.State);
    }

    [Fact]
    public void LinkDown_AsBackup_NoTakeoverWhileDown()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.Machine.Start(linkUp: true);
        h.Take();
        h.Machine.OnLinkChanged(up: false);
        Assert.DoesNotContain(h.Take(), e => e is Transition);
        h.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(CarpState.Backup, h.Machine.State);
    }

    [Fact]
    public void Start_LinkDown_WaitsForCarrierBeforeMasterDown()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.Machine.Start(linkUp: false);
        h.Time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(CarpState.Backup, h.Machine.State);
        h.Machine.OnLinkChanged(up: true);
        h.Time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(CarpState.Master, h.Machine.State);
    }

    [Fact]
    public void IgnoreInterfaceState_LinkChanges_AreIgnored()
    {
        using var h = new MachineHarness(MachineHarness.Config() with { IgnoreInterfaceState = true });
        h.Machine.Start(linkUp: false);
        h.Time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(CarpState.Master, h.Machine.State);
        h.Take();
        h.Machine.OnLinkChanged(up: false);
        Assert.Empty(h.Take());
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(CarpState.Master, h.Machine.State);
        Assert.Single(h.Take().OfType<SendAdvert>());
    }

    [Fact]
    public void ForceBackup_AsMaster_HoldsThreeSecondsPlusMasterDown()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.StartAsMaster();
        h.Machine.ForceBackup(TimeSpan.FromSeconds(3));
        Assert.Equal(CarpState.Backup, h.Machine.State);
        Assert.Equal([new Transition(CarpState.Master, CarpState.Backup, TransitionCause.AdminAction, true)], h.Take());
        h.Time.Advance(TimeSpan.FromSeconds(6) - MachineHarness.Tick);
        Assert.Equal(CarpState.Backup, h.Machine.State);
        Assert.Empty(h.Take());
        h.Time.Advance(MachineHarness.Tick);
        Assert.Equal(CarpState.Master, h.Machine.State);
    }

    [Fact]
    public void ForceBackup_AdvertDuringHold_DoesNotEndTheHoldEarly()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.StartAsMaster();
        h.Machine.ForceBackup(TimeSpan.FromSeconds(3));
        h.Time.Advance(TimeSpan.FromMilliseconds(100));
        h.Advert(Peer, 1, 0); // re-arms master-down for 3 s: would expire inside... no, after the hold
        h.Time.Advance(TimeSpan.FromSeconds(3) - MachineHarness.Tick);
        Assert.Equal(CarpState.Backup, h.Machine.State);
        h.Time.Advance(MachineHarness.Tick);
        Assert.Equal(CarpState.Master, h.Machine.State);
    }

    [Fact]
    public void ForceBackup_AsBackup_DoesNothing()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.Machine.Start(linkUp: true);
        h.Take();
        h.Machine.ForceBackup(TimeSpan.FromSeconds(3));
        Assert.Empty(h.Take());
        h.Time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(CarpState.Master, h.Machine.State);
    }

    [Fact]
    public void Maintenance_AsMaster_BowsOutAtOnceAndKeepsVipUntilPeerAdvertises()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.StartAsMaster();
        h.Machine.SetMaintenance(true);
        Assert.True(h.Machine.IsDemoted);
        Assert.Empty(h.Machine.Demotions);
        var adverts = h.Take().OfType<SendAdvert>().ToList();
        Assert.Equal((255, 255), (Assert.Single(adverts).AdvBase, adverts[0].AdvSkew));
        for (var i = 0; i < 5; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(1));
            var a = Assert.Single(h.Take().OfType<SendAdvert>());
            Assert.Equal((255, 255), (a.AdvBase, a.AdvSkew));
            Assert.Equal(CarpState.Master, h.Machine.State);
        }
        h.Advert(Peer, 1, 100);
        Assert.Equal(CarpState.Backup, h.Machine.State);
        var fx = h.Take();
        Assert.Equal(new Transition(CarpState.Master, CarpState.Backup, TransitionCause.AdminAction, true), fx.OfType<Transition>().Single());
    }

    [Fact]
    public void Maintenance_AsBackupWithPreempt_NeverPreemptsUntilReleased()
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 0, preempt: true));
        h.Machine.Start(linkUp: true);
        h.Machine.SetMaintenance(true);
        h.Take();
        for (var i = 0; i < 5; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(1));
            h.Advert(Peer, 1, 100);
            Assert.Equal(CarpState.Backup, h.Machine.State);
        }
        Assert.DoesNotContain(h.Take(), e => e is SendAdvert or Transition);
        h.Machine.SetMaintenance(false);
        Assert.False(h.Machine.IsDemoted);
        h.Take();
        h.Advert(Peer, 1, 100);
        Assert.Equal(CarpState.Master, h.Machine.State);
        Assert.Equal(TransitionCause.Preempt, h.Take().OfType<Transition>().Single().Cause);
    }

    [Fact]
    public void Maintenance_Released_MasterAdvertisesNormalPriorityAgain()
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 20));
        h.StartAsMaster();
        h.Machine.SetMaintenance(true);
        h.Take();
        h.Machine.SetMaintenance(false);
        var a = Assert.Single(h.Take().OfType<SendAdvert>());
        Assert.Equal((1, 20), (a.AdvBase, a.AdvSkew));
        h.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.All(h.Take().OfType<SendAdvert>(), x => Assert.Equal((1, 20), (x.AdvBase, x.AdvSkew)));
    }

    [Fact]
    public void Demotion_AsMaster_BowsOutAndYieldsWithCauseDemoted()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.StartAsMaster();
        h.Machine.SetDemotion("check web", "HTTP check web: GET http://127.0.0.1/ returned 503, expected 200");
        Assert.Equal(["HTTP check web: GET http://127.0.0.1/ returned 503, expected 200"], h.Machine.Demotions);
        var a = Assert.Single(h.Take().OfType<SendAdvert>());
        Assert.Equal((255, 255), (a.AdvBase, a.AdvSkew));
        Assert.Equal(CarpState.Master, h.Machine.State);
        h.Advert(Peer, 1, 100);
        Assert.Equal(CarpState.Backup, h.Machine.State);
        Assert.Equal(TransitionCause.Demoted, h.Take().OfType<Transition>().Single().Cause);
    }

    [Fact]
    public void Demotion_NoticesCarryTheCausesAsData()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.StartAsMaster();
        h.Machine.SetMaintenance(true);
        var first = Assert.Single(h.Take().OfType<Notice>());
        Assert.Equal((CarpNotice.Demoted, true), (first.Kind, first.Maintenance));
        Assert.Equal([], first.Demotions ?? ["missing"]);
        h.Machine.SetMaintenance(false);
        Assert.Equal(new Notice(CarpNotice.DemotionCleared), Assert.Single(h.Take().OfType<Notice>()));
        h.Machine.SetDemotion("ping", "198.18.0.254 unreachable");
        var second = Assert.Single(h.Take().OfType<Notice>());
        Assert.Equal((CarpNotice.Demoted, false), (second.Kind, second.Maintenance));
        Assert.Equal(["198.18.0.254 unreachable"], second.Demotions ?? []);
    }

    [Fact]
    public void Demotion_SetAndCleared_ListsReasonsAndRestores()
    {
        using var h = new MachineHarness(MachineHarness.Config(preempt: true));
        h.Machine.Start(linkUp: true);
        h.Machine.SetDemotion("ping", "198.18.0.254 unreachable");
        h.Machine.SetMaintenance(true);
        Assert.Equal(["198.18.0.254 unreachable"], h.Machine.Demotions);
        h.Machine.SetMaintenance(false);
        h.Machine.SetDemotion("ping", "timeout");
        Assert.Equal(["timeout"], h.Machine.Demotions);
        h.Advert(Peer, 1, 100);
        Assert.Equal(CarpState.Backup, h.Machine.State);
        h.Machine.SetDemotion("ping", null);
        Assert.Empty(h.Machine.Demotions);
        Assert.False(h.Machine.IsDemoted);
        h.Advert(Peer, 1, 100);
        Assert.Equal(CarpState.Master, h.Machine.State);
    }

    [Fact]
    public void Stop_AsMasterWithPeer_BowsOutYieldsOnPeerAdvertThenStopped()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.StartAsMaster();
        h.Machine.Stop(TimeSpan.FromSeconds(2));
        var bow = Assert.IsType<SendAdvert>(Assert.Single(h.Take()));
        Assert.Equal((255, 255), (bow.AdvBase, bow.AdvSkew));
        Assert.Equal(CarpState.Master, h.Machine.State);
        h.Time.Advance(TimeSpan.FromMilliseconds(500));
        h.Advert(Peer, 1, 100);
        var fx = h.Take();
        Assert.Equal(CarpState.Backup, h.Machine.State);
        Assert.Equal(new Transition(CarpState.Master, CarpState.Backup, TransitionCause.Shutdown, true), fx.OfType<Transition>().Single());
        Assert.IsType<Stopped>(fx[^1]);
        Assert.True(fx.FindIndex(e => e is Transition) < fx.FindIndex(e => e is Stopped));
        // Nothing more after the stop: no adverts, no takeover.
        h.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(h.Take());
    }

    [Fact]
    public void Stop_AsMasterWithoutPeer_ReleasesAtPeerWaitThenStopped()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.StartAsMaster();
        h.Machine.Stop(TimeSpan.FromSeconds(2));
        h.Take();
        h.Time.Advance(TimeSpan.FromSeconds(2) - MachineHarness.Tick);
        var fx = h.Take();
        Assert.DoesNotContain(fx, e => e is Transition or Stopped);
        Assert.All(fx.OfType<SendAdvert>(), a => Assert.Equal((255, 255), (a.AdvBase, a.AdvSkew)));
        Assert.Equal(CarpState.Master, h.Machine.State);
        h.Time.Advance(MachineHarness.Tick);
        fx = h.Take();
        Assert.Equal(CarpState.Backup, h.Machine.State);
        Assert.Equal(new Transition(CarpState.Master, CarpState.Backup, TransitionCause.Shutdown, true), fx.OfType<Transition>().Single());
        Assert.IsType<Stopped>(fx[^1]);
        h.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(h.Take());
    }

    [Fact]
    public void Stop_AsBackup_StoppedAtOnceWithoutTransition()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.Machine.Start(linkUp: true);
        h.Take();
        h.Machine.Stop(TimeSpan.FromSeconds(2));
        Assert.Equal([typeof(Stopped)], h.Take().Select(e => e.GetType()));
        h.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(CarpState.Backup, h.Machine.State);
        Assert.Empty(h.Take());
        h.Advert(Peer, 255, 255);
        Assert.Empty(h.Take());
    }

    [Fact]
    public void SubSecond_Advbase0Skew20_AdvertsEvery78125Microseconds()
    {
        using var h = new MachineHarness(MachineHarness.Config(advbase: 0, advskew: 20));
        h.StartAsMaster();
        var interval = TimeSpan.FromTicks(781_250);
        for (var i = 0; i < 5; i++)
        {
            h.Time.Advance(interval - MachineHarness.Tick);
            Assert.Empty(h.Take());
            h.Time.Advance(MachineHarness.Tick);
            var a = Assert.Single(h.Take().OfType<SendAdvert>());
            Assert.Equal((0, 20), (a.AdvBase, a.AdvSkew));
        }
    }

    [Fact]
    public void SubSecond_Advbase0Skew26_LoneNodeMasterAtCarpTimingMasterDown()
    {
        var masterDown = CarpTiming.MasterDown(0, 26, 3);
        using var h = new MachineHarness(MachineHarness.Config(advbase: 0, advskew: 26, deadratio: 3));
        h.Machine.Start(linkUp: true);
        h.Time.Advance(masterDown - MachineHarness.Tick);
        Assert.Equal(CarpState.Backup, h.Machine.State);
        h.Time.Advance(MachineHarness.Tick);
        Assert.Equal(CarpState.Master, h.Machine.State);
    }

    [Fact]
    public void Describe_ByState_UsesUcarpSigusr1Wording()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.Machine.Start(linkUp: true);
        Assert.Equal("BACKUP on veth0 id 42", h.Machine.Describe());
        h.Time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal("MASTER on veth0 id 42", h.Machine.Describe());
    }

    // Real .NET timers fire on a coarse millisecond clock and are often 1-4 ms early relative to
    // TimeProvider.GetTimestamp (measured: 15 of 40 System timers early by up to 2.5 ms). A timer that
    // fires a millisecond early must still lead to MASTER, at most that millisecond late.
    [Fact]
    public void LoneNode_TimerFiresOneMillisecondEarly_StillBecomesMaster()
    {
        var fake = new FakeTimeProvider();
        var early = new EarlyTimerTimeProvider(fake, TimeSpan.FromMilliseconds(1));
        using var h = new MachineHarness(MachineHarness.Config(), time: early, fake: fake);
        h.Machine.Start(linkUp: true);
        // Millisecond steps, as a real clock moves: the timer fires at 2.999 s, the deadline is 3.000 s.
        for (var i = 0; i < 3100; i++)
        {
            fake.Advance(TimeSpan.FromMilliseconds(1));
        }
        Assert.Equal(CarpState.Master, h.Machine.State);
    }
}
