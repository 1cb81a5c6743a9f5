using Appliance.Engine.Configuration;

namespace Appliance.Engine.Tests.Configuration;

public sealed class VhidRulesTests
{
    private static readonly VhidSettings Valid = new()
    {
        Interface = "eth0",
        Vhid = "42",
        Password = "secret",
        VirtualAddress = "198.18.0.100",
    };

    [Fact]
    public void TryBuild_OnlyRequiredGiven_DefaultsAsUcarp()
    {
        Assert.True(VhidRules.TryBuild(Valid, out var config, out var errors), string.Join("; ", errors));
        Assert.Equal((1, 0, 3u, 32), (config.AdvBase, config.AdvSkew, config.DeadRatio, config.PrefixLength));
        Assert.Equal("224.0.0.18", config.MulticastGroup.ToString());
    }

    [Fact]
    public void TryBuild_FlapDampingNotGiven_OnWithTheDefaults()
    {
        Assert.True(VhidRules.TryBuild(Valid, out var config, out _));
        Assert.Equal(new FlapDampingSettingsView(true, 1000, 3000, 750, 60, 600), View(config.FlapDamping));
    }

    [Theory]
    [InlineData("off", false)]
    [InlineData("OFF", false)]
    [InlineData("false", false)]
    [InlineData("on", true)]
    [InlineData("true", true)]
    public void TryBuild_FlapDampingOnOff(string text, bool enabled)
    {
        Assert.True(VhidRules.TryBuild(Valid with { FlapDamping = text }, out var config, out _));
        Assert.Equal(enabled, config.FlapDamping.Enabled);
    }

    [Fact]
    public void TryBuild_FlapDampingBadValues_EveryOneReported()
    {
        var settings = Valid with
        {
            FlapDamping = "sometimes",
            FlapPenalty = "0",
            FlapSuppressThreshold = "1",
            FlapReuseThreshold = "1000000",
            FlapHalfLife = "3601",
            FlapMaxSuppress = "86401",
        };
        Assert.False(VhidRules.TryBuild(settings, out _, out var errors));
        Assert.Equal(
            [
                (VhidField.FlapDamping, "must be on or off (got 'sometimes')"),
                (VhidField.FlapPenalty, "must be between 1 and 100000 (got '0')"),
                (VhidField.FlapSuppressThreshold, "must be between 2 and 1000000 (got '1')"),
                (VhidField.FlapReuseThreshold, "must be between 1 and 999999 (got '1000000')"),
                (VhidField.FlapHalfLife, "must be between 1 and 3600 (got '3601')"),
                (VhidField.FlapMaxSuppress, "must be between 1 and 86400 (got '86401')"),
            ],
            errors.Select(e => (e.Field, e.Problem)));
    }

    [Fact]
    public void TryBuild_FlapReuseNotBelowSuppress_Refused()
    {
        Assert.False(VhidRules.TryBuild(Valid with { FlapSuppressThreshold = "750" }, out _, out var errors));
        Assert.Equal((VhidField.FlapReuseThreshold, "must be below the suppress threshold 750 (got the default 750)"), errors.Select(e => (e.Field, e.Problem)).Single());
    }

    [Fact]
    public void TryBuild_FlapMaxSuppressTooShortForThePenaltyToReachSuppress_Refused()
    {
        // 60 s x log2(3000 / 750) = 120 s: a ceiling of 750 x 2^(120 / 60) = 3000 is never above 3000.
        Assert.False(VhidRules.TryBuild(Valid with { FlapMaxSuppress = "120" }, out _, out var errors));
        Assert.Equal(
            (VhidField.FlapMaxSuppress, "must be more than 120 s (half-life x log2(suppress / reuse)), or the penalty could never exceed the suppress threshold (got '120')"),
            errors.Select(e => (e.Field, e.Problem)).Single());
        Assert.True(VhidRules.TryBuild(Valid with { FlapMaxSuppress = "121" }, out _, out _));
    }

    [Fact]
    public void Limits_IncludeTheFlapDampingRanges()
    {
        Assert.Contains(VhidRules.FlapHalfLife, VhidRules.Limits);
        Assert.Equal("1-3600", VhidRules.FlapHalfLife.ToString());
    }

    private sealed record FlapDampingSettingsView(bool Enabled, int Penalty, int Suppress, int Reuse, double HalfLifeSeconds, double MaxSuppressSeconds);

    private static FlapDampingSettingsView View(Appliance.Engine.StateMachine.FlapDampingConfig c) =>
        new(c.Enabled, c.Penalty, c.SuppressThreshold, c.ReuseThreshold, c.HalfLife.TotalSeconds, c.MaxSuppress.TotalSeconds);

    [Fact]
    public void TryBuild_NothingGiven_EveryRequiredFieldReportedAtOnce()
    {
        Assert.False(VhidRules.TryBuild(new VhidSettings(), out var config, out var errors));
        Assert.Null(config);
        Assert.Equal([VhidField.Interface, VhidField.Vhid, VhidField.Password, VhidField.VirtualAddress], errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.Equal("is required", e.Problem));
    }

    [Fact]
    public void TryBuild_BothIntervalsZero_OneErrorNamingBothFields()
    {
        Assert.False(VhidRules.TryBuild(Valid with { AdvBase = "0", AdvSkew = "0" }, out _, out var errors));
        var error = Assert.Single(errors);
        Assert.Equal("--advbase and --advskew must not both be 0 (the advert interval would be zero)", error.Format(f => "--" + f.ToString().ToLowerInvariant()));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData(" 7")]
    [InlineData("99999999999")]
    public void TryBuild_NotANumber_SameWordsAsOutOfRange(string text)
    {
        Assert.False(VhidRules.TryBuild(Valid with { DeadRatio = text }, out _, out var errors));
        Assert.Equal($"must be between 1 and 255 (got '{text}')", Assert.Single(errors).Problem);
    }

    [Fact]
    public void TryBuild_PasswordWithNul_Refused()
    {
        Assert.False(VhidRules.TryBuild(Valid with { Password = "a\0b" }, out _, out var errors));
        Assert.Equal(VhidField.Password, Assert.Single(errors).Field);
        // A carriage return is a byte of the key like any other (a CRLF passfile keeps it, as ucarp does).
        Assert.True(VhidRules.TryBuild(Valid with { Password = "secret\r" }, out _, out _));
    }

    [Theory]
    [InlineData("198.18.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("198.18.0.01", false)]
    [InlineData("198.18.0", false)]
    [InlineData("0x7f.0.0.1", false)]
    [InlineData("198.18.0.256", false)]
    [InlineData("198.18..1", false)]
    public void TryParseIPv4_DottedQuadAsInetPton(string text, bool valid) =>
        Assert.Equal(valid, VhidRules.TryParseIPv4(text, out _));

    [Fact]
    public void TryBuild_ScriptWithControlCharacter_Refused()
    {
        Assert.False(VhidRules.TryBuild(Valid with { UpScript = "/up\n.sh" }, out _, out var errors));
        Assert.Equal(VhidField.UpScript, Assert.Single(errors).Field);
    }
}
