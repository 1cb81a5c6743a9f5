using System.Net;
using Appliance.Engine.StateMachine;
using Microsoft.Extensions.Time.Testing;
using static Appliance.Engine.StateMachine.CarpEffect;

namespace Appliance.Engine.Tests.StateMachine;

/// <summary>
/// Flap damping in the state machine (docs/carp-protocol.md, 6.13): a preferred, preempting node whose cable flaps
/// is suppressed after four counted transitions (default penalty 1000, suppress above 3000), then holds BACKUP
/// instead of preempting; every forced transition still happens; it is released once the penalty has decayed.
/// </summary>
public class FlapDampingTests
{
    /// <summary>A less preferred master (advskew 100 against our 0).</summary>
    private const string Worse = "198.18.0.2";

    private static readonly TimeSpan MasterDown = CarpTiming.MasterDown(1, 0, 3);

    private ulong _fresh = 1UL << 40;

    /// <summary>
    /// An advert from <paramref name="source"/>: our newest counter + 1 (a peer that heard us), or after the carrier
    /// returned (the newest forgotten, docs/replay.md) a counter of the peer's own that the window has not seen.
    /// </summary>
    private AdvertVerdict Hear(MachineHarness h, byte advbase, byte advskew, string source = Worse) =>
        h.Advert(source, advbase, advskew, h.Machine.NewestCounter is { } newest ? unchecked(newest + 1) : _fresh += 1000);

    private static VhidConfig Preferred(FlapDampingConfig? flap = null) =>
        MachineHarness.Config(preempt: true) with { FlapDamping = flap ?? FlapDampingConfig.Default };

    /// <summary>
    /// Lone start to MASTER (1: master-down), then the cable flaps once: pulled (2: link down, BACKUP), plugged and the
    /// worse master heard (3: preempt). A second pull (4) takes the penalty to 4000: suppressed, holding BACKUP.
    /// </summary>
    private List<CarpEffect> FlapUntilSuppressed(MachineHarness h)
    {
        h.StartAsMaster();
        h.Machine.OnLinkChanged(false);
        h.Machine.OnLinkChanged(true);
        Hear(h, 1, 100);
        Assert.Equal(CarpState.Master, h.Machine.State);
        Assert.False(h.Machine.Flapping!.Suppressed);
        h.Take();
        h.Machine.OnLinkChanged(false);
        return h.Take();
    }

    [Fact]
    public void Start_IsNotCounted_AndTheStatusShowsNoPenalty()
    {
        using var h = new MachineHarness(Preferred());
        h.Machine.Start(linkUp: true);
        Assert.Equal(new FlapStatus(false, null, 0), h.Machine.Flapping);
        h.Time.Advance(MasterDown);
        Assert.Equal(CarpState.Master, h.Machine.State);
        Assert.Equal(1000, h.Machine.Flapping!.Penalty, 1e-6);
    }

    [Fact]
    public void FourthTransition_Suppresses_WithTheTransitionFirst_AndTheStatusSaysSince()
    {
        using var h = new MachineHarness(Preferred());
        var at = h.Time.GetUtcNow() + MasterDown;
        var fx = FlapUntilSuppressed(h);
        var transition = fx.OfType<Transition>().Single();
        Assert.Equal(new Transition(CarpState.Master, CarpState.Backup, TransitionCause.LinkDown, true), transition);
        var flapping = fx.OfType<Flapping>().Single();
        Assert.True(flapping.Suppressed);
        Assert.Equal(CarpState.Backup, flapping.State);
        Assert.Equal(4, flapping.Transitions);
        Assert.Equal(TimeSpan.Zero, flapping.Span);
        Assert.Equal(4000, flapping.Penalty, 1e-6);
        Assert.True(fx.IndexOf(transition) < fx.IndexOf(flapping));
        var status = h.Machine.Flapping!;
        Assert.True(status.Suppressed);
        Assert.Equal(at, status.Since);
        Assert.Equal(4000, status.Penalty, 1e-6);
    }

    [Fact]
    public void Suppressed_Backup_HearsTheWorseMaster_DoesNotPreempt_SaysSoOnce()
    {
        using var h = new MachineHarness(Preferred());
        FlapUntilSuppressed(h);
        h.Machine.OnLinkChanged(true);
        h.Take();
        for (var i = 0; i < 5; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(1));
            Hear(h, 1, 100);
            Assert.Equal(CarpState.Backup, h.Machine.State);
        }
        var fx = h.Take();
        Assert.Empty(fx.OfType<Transition>());
        Assert.Empty(fx.OfType<SendAdvert>());
        Assert.Equal([new Notice(CarpNotice.PreemptSuppressed, Source: IPAddress.Parse(Worse))], fx.OfType<Notice>());
        // The worse master's adverts keep re-arming master-down: no takeover while it is there.
        h.Time.Advance(MasterDown - MachineHarness.Tick);
        Assert.Equal(CarpState.Backup, h.Machine.State);
    }

    [Fact]
    public void Suppressed_Backup_MasterGoesSilent_StillTakesOverAtMasterDown()
    {
        using var h = new MachineHarness(Preferred());
        FlapUntilSuppressed(h);
        h.Machine.OnLinkChanged(true);
        Hear(h, 1, 100);
        h.Take();
        h.Time.Advance(MasterDown - MachineHarness.Tick);
        Assert.Equal(CarpState.Backup, h.Machine.State);
        h.Time.Advance(MachineHarness.Tick);
        Assert.Equal(CarpState.Master, h.Machine.State);
        var fx = h.Take();
        Assert.Equal(new Transition(CarpState.Backup, CarpState.Master, TransitionCause.MasterDownTimeout, true), fx.OfType<Transition>().Single());
        Assert.Empty(fx.OfType<Flapping>());
        Assert.True(h.Machine.Flapping!.Suppressed);
    }

    [Fact]
    public void Suppressed_Backup_MasterBowsOut_StillTakesOverAtOnce()
    {
        using var h = new MachineHarness(Preferred());
        FlapUntilSuppressed(h);
        h.Machine.OnLinkChanged(true);
        h.Take();
        Hear(h, CarpStateMachine.BowOutAdvBase, CarpStateMachine.BowOutAdvSkew);
        Assert.Equal(CarpState.Master, h.Machine.State);
        Assert.Equal(TransitionCause.MasterBowedOut, h.Take().OfType<Transition>().Single().Cause);
    }

    [Fact]
    public void Suppressed_Master_CarrierLost_StillForcesBackup()
    {
        using var h = new MachineHarness(Preferred());
        FlapUntilSuppressed(h);
        h.Machine.OnLinkChanged(true);
        h.Time.Advance(MasterDown);
        Assert.Equal(CarpState.Master, h.Machine.State);
        h.Take();
        h.Machine.OnLinkChanged(false);
        Assert.Equal(CarpState.Backup, h.Machine.State);
        Assert.Equal(TransitionCause.LinkDown, h.Take().OfType<Transition>().Single().Cause);
    }

    [Fact]
    public void Suppressed_Master_BetterMasterAdvertises_StillYields_NoTwoMasters()
    {
        // Ours advskew 50: a peer with advskew 0 is better, one with 100 worse.
        using var h = new MachineHarness(MachineHarness.Config(advskew: 50, preempt: true));
        var masterDown = CarpTiming.MasterDown(1, 50, 3);
        h.Machine.Start(linkUp: true);
        h.Time.Advance(masterDown);
        h.Machine.OnLinkChanged(false);
        h.Machine.OnLinkChanged(true);
        Hear(h, 1, 100);
        h.Machine.OnLinkChanged(false);
        Assert.True(h.Machine.Flapping!.Suppressed);
        h.Machine.OnLinkChanged(true);
        h.Time.Advance(masterDown);
        Assert.Equal(CarpState.Master, h.Machine.State);
        h.Take();
        Hear(h, 1, 0, "198.18.0.3");
        Assert.Equal(CarpState.Backup, h.Machine.State);
        Assert.Equal(TransitionCause.BetterMasterSeen, h.Take().OfType<Transition>().Single().Cause);
    }

    [Fact]
    public void Release_WhenThePenaltyHasDecayed_NotBefore_ThenPreemptsAgain()
    {
        using var h = new MachineHarness(Preferred());
        FlapUntilSuppressed(h);
        h.Machine.OnLinkChanged(true);
        // 4000 to 750 with a 60 s half-life (144.9 s), as the damper computes it, to the tick.
        var release = FlapDampingConfig.Default.HalfLife * Math.Log2(4000.0 / 750);
        var heard = TimeSpan.Zero;
        while (heard + TimeSpan.FromSeconds(1) < release)
        {
            h.Time.Advance(TimeSpan.FromSeconds(1));
            heard += TimeSpan.FromSeconds(1);
            Hear(h, 1, 100);
        }
        h.Take();
        h.Time.Advance(release - heard - TimeSpan.FromMilliseconds(1));
        Assert.Empty(h.Take().OfType<Flapping>());
        Assert.True(h.Machine.Flapping!.Suppressed);
        Assert.Equal(CarpState.Backup, h.Machine.State);

        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        var released = h.Take().OfType<Flapping>().Single();
        Assert.False(released.Suppressed);
        Assert.False(released.Capped);
        Assert.Equal(CarpState.Backup, released.State);
        Assert.Equal(750, released.Penalty, 1e-3);
        Assert.Equal(release.TotalMilliseconds, released.Span.TotalMilliseconds, 1e-3);
        Assert.Equal(new FlapStatus(false, null, h.Machine.Flapping!.Penalty), h.Machine.Flapping);

        Hear(h, 1, 100);
        Assert.Equal(CarpState.Master, h.Machine.State);
        Assert.Equal(TransitionCause.Preempt, h.Take().OfType<Transition>().Single().Cause);
    }

    [Fact]
    public void Release_TimerFiresOneMillisecondEarly_StillReleasesAtMostThatLate()
    {
        var fake = new FakeTimeProvider();
        var early = new EarlyTimerTimeProvider(fake, TimeSpan.FromMilliseconds(1));
        using var h = new MachineHarness(Preferred(FlapDampingConfig.Default with { HalfLife = TimeSpan.FromSeconds(2) }), time: early, fake: fake);
        FlapUntilSuppressed(h);
        var release = TimeSpan.FromSeconds(2 * Math.Log2(4000.0 / 750));
        var steps = (int)release.TotalMilliseconds - 1;
        for (var i = 0; i < steps; i++)
        {
            fake.Advance(TimeSpan.FromMilliseconds(1));
        }
        Assert.Empty(h.Take().OfType<Flapping>());
        for (var i = 0; i < 3; i++)
        {
            fake.Advance(TimeSpan.FromMilliseconds(1));
        }
        Assert.False(h.Take().OfType<Flapping>().Single().Suppressed);
    }

    [Fact]
    public void TransitionsWhileSuppressed_RaiseThePenalty_AndMoveTheReleaseLater()
    {
        using var h = new MachineHarness(Preferred());
        FlapUntilSuppressed(h);
        h.Machine.OnLinkChanged(true);
        h.Time.Advance(MasterDown);
        h.Machine.OnLinkChanged(false);
        // 4000 decayed over 3 s, + 1000 (master-down takeover), + 1000 (link down).
        var penalty = 4000 * Math.Pow(2, -3.0 / 60) + 2000;
        Assert.Equal(penalty, h.Machine.Flapping!.Penalty, 1e-6);
        var release = TimeSpan.FromSeconds(60 * Math.Log2(penalty / 750));
        h.Take();
        h.Time.Advance(release - TimeSpan.FromMilliseconds(1));
        Assert.Empty(h.Take().OfType<Flapping>());
        h.Time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Single(h.Take().OfType<Flapping>());
    }

    [Fact]
    public void MaxSuppress_ReleasesEvenWhileItKeepsFlapping()
    {
        var flap = FlapDampingConfig.Default with { MaxSuppress = TimeSpan.FromSeconds(200) };
        using var h = new MachineHarness(Preferred(flap));
        FlapUntilSuppressed(h);
        h.Take();
        // Every 10 s the master goes silent (takeover) and the cable is pulled again: two transitions per round.
        var elapsed = TimeSpan.Zero;
        for (var round = 0; round < 19; round++)
        {
            h.Machine.OnLinkChanged(true);
            h.Time.Advance(MasterDown);
            h.Machine.OnLinkChanged(false);
            h.Time.Advance(TimeSpan.FromSeconds(7));
            elapsed += MasterDown + TimeSpan.FromSeconds(7);
        }
        Assert.Empty(h.Take().OfType<Flapping>());
        h.Time.Advance(TimeSpan.FromSeconds(200) - elapsed - MachineHarness.Tick);
        Assert.Empty(h.Take().OfType<Flapping>());
        h.Time.Advance(MachineHarness.Tick);
        var released = h.Take().OfType<Flapping>().Single();
        Assert.True(released.Capped);
        Assert.True(released.Penalty > 3000);
        Assert.Equal(TimeSpan.FromSeconds(200), released.Span);
        Assert.Equal(new FlapStatus(false, null, 0), h.Machine.Flapping);
    }

    [Fact]
    public void AdminActions_AreNotCounted()
    {
        using var h = new MachineHarness(Preferred());
        h.StartAsMaster();
        for (var i = 0; i < 5; i++)
        {
            // SIGUSR2: BACKUP for the hold (admin action, not counted), then master-down takes over again (counted).
            h.Machine.ForceBackup(TimeSpan.FromSeconds(3));
            h.Time.Advance(TimeSpan.FromSeconds(3) + MasterDown);
            Assert.Equal(CarpState.Master, h.Machine.State);
        }
        var penalty = h.Machine.Flapping!.Penalty;
        // Six takeovers 6 s apart, nothing for the five ForceBackups.
        var expected = Enumerable.Range(0, 6).Sum(k => 1000 * Math.Pow(2, -6.0 * k / 60));
        Assert.Equal(expected, penalty, 1e-6);
    }

    [Fact]
    public void Off_NeverSuppresses_AndPreemptsEveryTime()
    {
        using var h = new MachineHarness(Preferred(FlapDampingConfig.Off));
        h.StartAsMaster();
        Assert.Null(h.Machine.Flapping);
        for (var i = 0; i < 10; i++)
        {
            h.Machine.OnLinkChanged(false);
            h.Machine.OnLinkChanged(true);
            Hear(h, 1, 100);
            Assert.Equal(CarpState.Master, h.Machine.State);
        }
        Assert.Empty(h.Take().OfType<Flapping>());
    }
}
