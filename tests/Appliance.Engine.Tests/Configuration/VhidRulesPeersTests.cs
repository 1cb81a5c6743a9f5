using System.Net;
using Appliance.Engine.Configuration;

namespace Appliance.Engine.Tests.Configuration;

/// <summary>The rules of unicast peers (docs/carp-protocol.md, 5.4 Unicast peers), as every entry point applies them.</summary>
public sealed class VhidRulesPeersTests
{
    private static readonly VhidSettings Valid = new()
    {
        Interface = "eth0",
        Vhid = "42",
        Password = "secret",
        VirtualAddress = "198.18.0.100",
        SourceAddress = "198.18.0.1",
    };

    private static string Problems(VhidSettings settings)
    {
        Assert.False(VhidRules.TryBuild(settings, out var config, out var errors));
        Assert.Null(config);
        return string.Join("; ", errors.Select(e => e.Format(f => f.ToString())));
    }

    [Fact]
    public void TryBuild_NoPeers_Multicast()
    {
        Assert.True(VhidRules.TryBuild(Valid, out var config, out _));
        Assert.False(config.Peers.IsUnicast);
        Assert.True(VhidRules.TryBuild(Valid with { Peers = [] }, out config, out _));
        Assert.False(config.Peers.IsUnicast);
    }

    [Fact]
    public void TryBuild_TwoPeers_KeptInOrder()
    {
        Assert.True(VhidRules.TryBuild(Valid with { Peers = ["198.18.0.3", " 198.18.0.2 "] }, out var config, out var errors), string.Join("; ", errors));

        Assert.True(config.Peers.IsUnicast);
        Assert.Equal([IPAddress.Parse("198.18.0.3"), IPAddress.Parse("198.18.0.2")], config.Peers);
    }

    [Fact]
    public void TryBuild_SamePeersTwice_EqualConfigs()
    {
        VhidRules.TryBuild(Valid with { Peers = ["198.18.0.2"] }, out var a, out _);
        VhidRules.TryBuild(Valid with { Peers = ["198.18.0.2"] }, out var b, out _);
        VhidRules.TryBuild(Valid with { Peers = ["198.18.0.3"] }, out var c, out _);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Theory]
    [InlineData("fd00::2")]
    [InlineData("2001:db8::1")]
    public void TryBuild_IPv6Peer_RefusedNamingTheField(string peer)
    {
        Assert.Equal($"Peers must be IPv4 for now: IPv6 peers need an IPv6 VIP (not supported yet) (got '{peer}')", Problems(Valid with { Peers = [peer] }));
    }

    [Theory]
    [InlineData("224.0.0.18")]
    [InlineData("198.18.0")]
    [InlineData("nope")]
    [InlineData("")]
    [InlineData("127.0.0.1")]
    [InlineData("255.255.255.255")]
    public void TryBuild_NotAUnicastIPv4Address_Refused(string peer)
    {
        Assert.Equal($"Peers must be a unicast IPv4 address (got '{peer}')", Problems(Valid with { Peers = ["198.18.0.2", peer] }));
    }

    [Fact]
    public void TryBuild_DuplicateOwnAddressOrVip_EachRefused()
    {
        Assert.Equal("Peers must not name 198.18.0.2 twice", Problems(Valid with { Peers = ["198.18.0.2", "198.18.0.2"] }));
        Assert.Equal("Peers must not be the VIP 198.18.0.100: a peer is the other node's own address", Problems(Valid with { Peers = ["198.18.0.100"] }));
        Assert.Equal("Peers must not be this node's own srcip 198.18.0.1", Problems(Valid with { Peers = ["198.18.0.1"] }));
    }

    [Fact]
    public void TryBuild_MoreThanTheMaximum_Refused()
    {
        var peers = Enumerable.Range(2, VhidRules.MaxPeers + 1).Select(n => $"198.18.1.{n}").ToList();

        Assert.Equal($"Peers must name at most {VhidRules.MaxPeers} addresses (got {VhidRules.MaxPeers + 1})", Problems(Valid with { Peers = peers }));
        Assert.True(VhidRules.TryBuild(Valid with { Peers = peers[..VhidRules.MaxPeers] }, out _, out _));
    }

    [Fact]
    public void TryBuild_PeersWithNomcastOrMcast_RefusedAsUcarpOnly()
    {
        const string UcarpOnly = "cannot be combined: unicast peers on a VHID that also names ucarp-only flags (ucarp has no unicast mode)";

        Assert.Equal($"Peers and NoMulticast {UcarpOnly}", Problems(Valid with { Peers = ["198.18.0.2"], NoMulticast = true }));
        Assert.Equal($"Peers and MulticastGroup {UcarpOnly}", Problems(Valid with { Peers = ["198.18.0.2"], MulticastGroup = "224.0.0.18" }));
        // Without peers both remain ucarp's options.
        Assert.True(VhidRules.TryBuild(Valid with { NoMulticast = true, MulticastGroup = "239.1.2.3" }, out _, out _));
    }
}
