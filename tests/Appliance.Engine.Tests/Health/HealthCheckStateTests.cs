using Appliance.Engine.Health;

namespace Appliance.Engine.Tests.Health;

public sealed class HealthCheckStateTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static HealthCheckConfig Web(int rise = 2, int fall = 3) =>
        new("web", HealthCheckKind.Http, "http://127.0.0.1/", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), Rise: rise, Fall: fall);

    private static readonly HealthProbeResult Bad = HealthProbeResult.Failed("GET http://127.0.0.1/ returned 503, expected 200");
    private static readonly HealthProbeResult Good = HealthProbeResult.Ok("GET http://127.0.0.1/ returned 200");

    [Fact]
    public void Record_FewerFailuresThanFall_StaysHealthy()
    {
        var state = new HealthCheckState(Web());

        Assert.False(state.Record(Bad, T0));
        Assert.False(state.Record(Bad, T0));

        Assert.True(state.Healthy);
        Assert.Null(state.DemotionReason);
        Assert.Equal(2, state.ConsecutiveFailures);
    }

    [Fact]
    public void Record_FallFailuresInARow_DemotesWithPlainSentence()
    {
        var state = new HealthCheckState(Web());
        state.Record(Bad, T0);
        state.Record(Bad, T0);

        Assert.True(state.Record(Bad, T0.AddSeconds(4)));

        Assert.False(state.Healthy);
        Assert.Equal("HTTP check web: GET http://127.0.0.1/ returned 503, expected 200 (3 failures in a row)", state.DemotionReason);
        Assert.Equal(T0.AddSeconds(4), state.LastRun);
    }

    [Fact]
    public void Record_SuccessBetweenFailures_ResetsTheCount()
    {
        var state = new HealthCheckState(Web());
        state.Record(Bad, T0);
        state.Record(Bad, T0);
        state.Record(Good, T0);
        state.Record(Bad, T0);
        state.Record(Bad, T0);

        Assert.True(state.Healthy);
    }

    [Fact]
    public void Record_FailedThenRiseSuccesses_RecoversOnlyAtRise()
    {
        var state = new HealthCheckState(Web(rise: 2, fall: 1));
        state.Record(Bad, T0);
        Assert.False(state.Healthy);

        Assert.False(state.Record(Good, T0));
        Assert.False(state.Healthy);
        Assert.True(state.Record(Good, T0));

        Assert.True(state.Healthy);
        Assert.Null(state.DemotionReason);
        Assert.Equal("HTTP check web: GET http://127.0.0.1/ returned 200 (2 successes in a row)", state.LastSentence);
    }

    [Fact]
    public void Record_FurtherSameFailures_DoNotChangeTheReason()
    {
        var state = new HealthCheckState(Web(fall: 1));
        state.Record(Bad, T0);
        var reason = state.DemotionReason;

        Assert.False(state.Record(Bad, T0));
        Assert.Equal(reason, state.DemotionReason);
        Assert.Contains("2 failures in a row", state.LastSentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_DifferentFailureWhileFailed_UpdatesTheReason()
    {
        var state = new HealthCheckState(Web(fall: 1));
        state.Record(Bad, T0);

        Assert.True(state.Record(HealthProbeResult.Failed("GET http://127.0.0.1/ failed: Connection refused"), T0));

        Assert.Contains("Connection refused", state.DemotionReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HealthCheckKind.Http, "ftp://x/", "Target")]
    [InlineData(HealthCheckKind.Tcp, "127.0.0.1", "Target")]
    [InlineData(HealthCheckKind.Tcp, "127.0.0.1:70000", "Target")]
    [InlineData(HealthCheckKind.Command, "", "Target")]
    public void Validate_BadTarget_NamesTheField(HealthCheckKind kind, string target, string field)
    {
        var check = new HealthCheckConfig("x", kind, target, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        Assert.Contains(check.Validate(), e => e.StartsWith(field + ":", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ZeroIntervalAndRise_EveryFieldReported()
    {
        var check = new HealthCheckConfig("x", HealthCheckKind.Tcp, "127.0.0.1:80", TimeSpan.Zero, TimeSpan.Zero, Rise: 0, Fall: 0);

        Assert.Equal(["Interval", "Timeout", "Rise", "Fall"], check.Validate().Select(e => e[..e.IndexOf(':', StringComparison.Ordinal)]));
    }

    [Fact]
    public void EffectiveExpectedStatus_Defaults_200ForHttpAnd0ForCommand()
    {
        Assert.Equal(200, Web().EffectiveExpectedStatus);
        Assert.Equal(0, new HealthCheckConfig("c", HealthCheckKind.Command, "/bin/true", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)).EffectiveExpectedStatus);
    }
}
