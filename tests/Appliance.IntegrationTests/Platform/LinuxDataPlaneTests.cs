using System.Collections.Concurrent;
using System.Net;
using Appliance.Engine.Platform.Linux;
using Xunit.Abstractions;

using Appliance.Lab;

namespace Appliance.IntegrationTests.Platform;

public sealed class LinuxDataPlaneTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly NetnsLab _lab = new();
    private readonly LinuxDataPlane _dataPlane;

    public LinuxDataPlaneTests(ITestOutputHelper output)
    {
        _output = output;
        try
        {
            _dataPlane = NetnsThread.Run(_lab.A, () => new LinuxDataPlane());
        }
        catch
        {
            _lab.Dispose();
            throw;
        }
    }

    [Fact]
    public void AddAddress_WithLabel_VisibleInIpAddrAndRemovable()
    {
        var vip = IPAddress.Parse(_lab.Vip);

        _dataPlane.AddAddress("vA", vip, 24, "vA:ucarp");
        _dataPlane.AddAddress("vA", vip, 24, "vA:ucarp"); // already present: not an error

        var shown = NetnsLab.Ip($"-n {_lab.A} -4 addr show dev vA");
        _output.WriteLine(shown);
        Assert.True(_dataPlane.HasAddress("vA", vip));
        Assert.Contains($"inet {_lab.Vip}/24 brd 198.18.{_lab.Subnet}.255 scope global secondary vA:ucarp", shown, StringComparison.Ordinal);
        Assert.Equal(IPAddress.Parse(_lab.AddressA), _dataPlane.GetFirstIPv4Address("vA"));

        _dataPlane.RemoveAddress("vA", vip, 24);
        _dataPlane.RemoveAddress("vA", vip, 24); // already absent: not an error

        Assert.False(_dataPlane.HasAddress("vA", vip));
        Assert.DoesNotContain(_lab.Vip, NetnsLab.Ip($"-n {_lab.A} -4 addr show dev vA"), StringComparison.Ordinal);
        Assert.True(_dataPlane.HasAddress("vA", IPAddress.Parse(_lab.AddressA)));
    }

    [Theory]
    [InlineData("aplLongName1", "aplLongName1:ucarp", "aplLongName1:uc")]
    [InlineData("aplLongName123", "aplLongName123:ucarp", "aplLongName123")]
    public void AddAddress_LabelLongerThan15_TruncatedAfterTheColon(string device, string requested, string expected)
    {
        NetnsLab.Ip($"-n {_lab.A} link add name {device} type veth peer name {device[..6]}p");

        _dataPlane.AddAddress(device, IPAddress.Parse("198.19.0.100"), 32, requested);

        var shown = NetnsLab.Ip($"-n {_lab.A} -4 addr show dev {device}");
        _output.WriteLine(shown);
        Assert.Contains($"inet 198.19.0.100/32 scope global {expected}\n", shown, StringComparison.Ordinal);
    }

    [Fact]
    public void AddAddress_MissingInterface_ThrowsNamingTheCall()
    {
        var error = Assert.Throws<Engine.Transport.PlatformException>(
            () => _dataPlane.AddAddress("nosuchif0", IPAddress.Parse(_lab.Vip), 24, "nosuchif0:ucarp"));

        Assert.Equal("if_nametoindex failed: No such device (errno 19)", error.Message);
        Assert.Null(_dataPlane.GetInterfaceIndex("nosuchif0"));
        Assert.Null(_dataPlane.GetFirstIPv4Address("nosuchif0"));
        Assert.False(_dataPlane.HasAddress("nosuchif0", IPAddress.Parse(_lab.Vip)));
    }

    [Fact]
    public void SendGratuitousArp_OnA_PeerSeesUcarpsFortyTwoByteFrame()
    {
        using var capture = new Tcpdump(_lab.B, "vB", 1, "arp");

        _dataPlane.SendGratuitousArp("vA", IPAddress.Parse(_lab.Vip));

        var dump = capture.WaitForOutput(TimeSpan.FromSeconds(5));
        Assert.NotNull(dump);
        _output.WriteLine(dump);
        var ip = $"c612 {_lab.Subnet:x2}64";
        // dst broadcast, src our MAC, ARP request, sender (MAC, VIP) and target (MAC, VIP): docs/carp-protocol.md, 6.6.
        Assert.Contains("0x0000:  ffff ffff ffff 0200 0000 000a 0806 0001", dump, StringComparison.Ordinal);
        Assert.Contains($"0x0010:  0800 0604 0001 0200 0000 000a {ip}", dump, StringComparison.Ordinal);
        // Exactly 42 bytes (ucarp adds no padding): the 0x0020 line holds 10 bytes and nothing follows.
        Assert.Matches($"0x0020:  0200 0000 000a {ip} {{8,}}", dump);
        Assert.DoesNotContain("0x0030", dump, StringComparison.Ordinal);
    }

    [Fact]
    public void WatchLinks_PeerSetDownThenUp_ReportsCarrierLossAndReturn()
    {
        Assert.Equal(NetnsLab.Ip($"-n {_lab.A} -o link show vA").Split(':')[0].Trim(), _dataPlane.GetInterfaceIndex("vA")?.ToString());
        var changes = new BlockingCollection<(string Name, bool Up)>();
        using var watch = NetnsThread.Run(_lab.A, () => _dataPlane.WatchLinks((name, up) => changes.Add((name, up))));
        Assert.True(_dataPlane.IsLinkUp("vA"));

        NetnsLab.Ip($"-n {_lab.B} link set vB down");
        Assert.True(changes.TryTake(out var down, TimeSpan.FromSeconds(5)), "no carrier-loss report");
        Assert.Equal(("vA", false), down);
        Assert.False(_dataPlane.IsLinkUp("vA"));

        NetnsLab.Ip($"-n {_lab.B} link set vB up");
        Assert.True(changes.TryTake(out var up, TimeSpan.FromSeconds(5)), "no carrier-return report");
        Assert.Equal(("vA", true), up);
        Assert.True(_dataPlane.IsLinkUp("vA"));
        Assert.False(changes.TryTake(out var extra, TimeSpan.FromMilliseconds(300)), $"unexpected report {extra}");
    }

    public void Dispose()
    {
        try
        {
            _dataPlane.Dispose();
        }
        finally
        {
            _lab.Dispose();
        }
    }
}
