using Appliance.Engine.StateMachine;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Engine.Tests.StateMachine;

/// <summary>The penalty arithmetic of flap damping (docs/carp-protocol.md, 6.13) on a fake clock.</summary>
public class FlapDamperTests
{
    private const double Precision = 1e-6;

    private static (FlapDamper Damper, FakeTimeProvider Time) Create(FlapDampingConfig? config = null)
    {
        var time = new FakeTimeProvider();
        return (new FlapDamper(config ?? FlapDampingConfig.Default, time), time);
    }

    [Fact]
    public void Penalty_HalvesEveryHalfLife()
    {
        var (damper, time) = Create();
        Assert.Equal(0, damper.Penalty);
        damper.RecordTransition();
        Assert.Equal(1000, damper.Penalty, Precision);
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(500, damper.Penalty, Precision);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1000 * Math.Pow(2, -1.5), damper.Penalty, Precision);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(250, damper.Penalty, Precision);
    }

    [Fact]
    public void Transitions_AddPenaltyToTheDecayedValue()
    {
        var (damper, time) = Create();
        damper.RecordTransition();
        time.Advance(TimeSpan.FromSeconds(60));
        damper.RecordTransition();
        Assert.Equal(1500, damper.Penalty, Precision);
        time.Advance(TimeSpan.FromSeconds(120));
        damper.RecordTransition();
        Assert.Equal(1375, damper.Penalty, Precision);
        Assert.Equal(3, damper.Transitions);
        Assert.Equal(TimeSpan.FromSeconds(180), damper.TransitionSpan);
    }

    [Fact]
    public void Suppression_StartsOnlyAboveTheThreshold_AndIsReportedOnce()
    {
        var (damper, _) = Create();
        Assert.False(damper.RecordTransition());
        Assert.False(damper.RecordTransition());
        // Exactly 3000 is not above the suppress threshold.
        Assert.False(damper.RecordTransition());
        Assert.False(damper.Suppressed);
        Assert.Null(damper.SuppressedSince);
        Assert.True(damper.RecordTransition());
        Assert.True(damper.Suppressed);
        Assert.NotNull(damper.SuppressedSince);
        Assert.False(damper.RecordTransition());
        Assert.True(damper.Suppressed);
        Assert.Equal(5000, damper.Penalty, Precision);
    }

    [Fact]
    public void Suppression_SinceIsTheWallClockOfTheTransitionThatStartedIt()
    {
        var (damper, time) = Create();
        for (var i = 0; i < 3; i++)
        {
            damper.RecordTransition();
            time.Advance(TimeSpan.FromSeconds(1));
        }
        var at = time.GetUtcNow();
        Assert.True(damper.RecordTransition());
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(at, damper.SuppressedSince);
        Assert.Equal(TimeSpan.FromSeconds(5), damper.SuppressedFor);
    }

    [Fact]
    public void Release_WhenThePenaltyHasDecayedToTheReuseThreshold_NotOneMillisecondBefore()
    {
        var (damper, time) = Create();
        for (var i = 0; i < 4; i++)
        {
            damper.RecordTransition();
        }
        Assert.True(damper.Suppressed);
        // 4000 to 750: 60 s x log2(4000 / 750).
        var expected = TimeSpan.FromSeconds(60 * Math.Log2(4000.0 / 750));
        Assert.Equal(expected.TotalMilliseconds, damper.UntilRelease()!.Value.TotalMilliseconds, 1e-3);
        time.Advance(expected - TimeSpan.FromMilliseconds(1));
        Assert.Null(damper.TryRelease());
        Assert.True(damper.Suppressed);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var release = damper.TryRelease();
        Assert.NotNull(release);
        Assert.False(release.Capped);
        Assert.Equal(750, release.Penalty, 1e-3);
        Assert.Equal(expected.TotalMilliseconds, release.SuppressedFor.TotalMilliseconds, 1e-3);
        Assert.False(damper.Suppressed);
        Assert.Null(damper.SuppressedSince);
        Assert.Null(damper.UntilRelease());
        Assert.Null(damper.TryRelease());
    }

    [Fact]
    public void Release_KeepsTheHistory_SoFlappingAgainIsSuppressedSooner()
    {
        var (damper, time) = Create();
        for (var i = 0; i < 4; i++)
        {
            damper.RecordTransition();
        }
        time.Advance(damper.UntilRelease()!.Value);
        Assert.NotNull(damper.TryRelease());
        // 750 + 1000 + 1000 = 2750, then 3750: the third transition after the release suppresses again.
        Assert.False(damper.RecordTransition());
        Assert.False(damper.RecordTransition());
        Assert.True(damper.RecordTransition());
        Assert.Equal(7, damper.Transitions);
    }

    [Fact]
    public void Rest_BelowHalfTheReuseThreshold_ForgetsTheCount()
    {
        var (damper, time) = Create();
        damper.RecordTransition();
        damper.RecordTransition();
        // 2000 to below 375 takes 60 s x log2(2000 / 375) = 144.9 s.
        time.Advance(TimeSpan.FromSeconds(150));
        damper.RecordTransition();
        Assert.Equal(1, damper.Transitions);
        Assert.Equal(1000, damper.Penalty, Precision);
        Assert.Equal(TimeSpan.Zero, damper.TransitionSpan);
    }

    [Fact]
    public void Ceiling_DecaysToReuseInTheMaximumSuppressTime()
    {
        var (damper, time) = Create();
        for (var i = 0; i < 1000; i++)
        {
            damper.RecordTransition();
        }
        // 750 x 2^(600 / 60) = 768 000: released exactly 600 s after the flapping stopped.
        Assert.Equal(768_000, damper.Ceiling, Precision);
        Assert.Equal(768_000, damper.Penalty, Precision);
        Assert.Equal(600_000, damper.UntilRelease()!.Value.TotalMilliseconds, 1e-3);
        time.Advance(TimeSpan.FromSeconds(600));
        Assert.NotNull(damper.TryRelease());
    }

    [Fact]
    public void MaxSuppress_EndsASuppressionThatFlappingKeepsAlive_AndClearsThePenalty()
    {
        var (damper, time) = Create(FlapDampingConfig.Default with { MaxSuppress = TimeSpan.FromSeconds(200) });
        for (var i = 0; i < 4; i++)
        {
            damper.RecordTransition();
        }
        Assert.True(damper.Suppressed);
        // A transition every 10 s keeps the penalty far above the reuse threshold.
        for (var t = 10; t < 200; t += 10)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            damper.RecordTransition();
            Assert.Null(damper.TryRelease());
        }
        Assert.Equal(TimeSpan.FromSeconds(10), damper.UntilRelease());
        time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.Null(damper.TryRelease());
        time.Advance(TimeSpan.FromTicks(1));
        var release = damper.TryRelease();
        Assert.NotNull(release);
        Assert.True(release.Capped);
        Assert.True(release.Penalty > 3000);
        Assert.Equal(TimeSpan.FromSeconds(200), release.SuppressedFor);
        Assert.False(damper.Suppressed);
        Assert.Equal(0, damper.Penalty);
        Assert.Equal(0, damper.Transitions);
    }

    [Fact]
    public void Disabled_CountsNothing()
    {
        var (damper, _) = Create(FlapDampingConfig.Off);
        for (var i = 0; i < 10; i++)
        {
            Assert.False(damper.RecordTransition());
        }
        Assert.False(damper.Suppressed);
        Assert.Equal(0, damper.Penalty);
    }

    [Fact]
    public void Constructor_ZeroHalfLife_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new FlapDamper(FlapDampingConfig.Default with { HalfLife = TimeSpan.Zero }, new FakeTimeProvider()));
    }
}
