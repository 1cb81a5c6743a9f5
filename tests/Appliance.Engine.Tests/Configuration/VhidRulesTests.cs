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
