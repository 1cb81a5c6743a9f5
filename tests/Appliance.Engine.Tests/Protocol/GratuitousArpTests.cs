using System.Net;
using Appliance.Engine.Protocol;

namespace Appliance.Engine.Tests.Protocol;

public class GratuitousArpTests
{
    private static readonly byte[] MacVA = [0x02, 0x00, 0x00, 0x00, 0x00, 0x0a];

    [Fact]
    public void Write_LoneMasterCapture_ReproducesCapturedBytes()
    {
        var buffer = new byte[64];

        var length = GratuitousArp.Write(buffer, MacVA, IPAddress.Parse("198.18.0.100"));

        Assert.Equal(GratuitousArp.Length, length);
        Assert.Equal(42, length);
        Assert.Equal(Convert.ToHexString(CapturedPackets.LoneMasterGarp), Convert.ToHexString(buffer, 0, length));
        Assert.All(buffer[length..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Write_OtherMacAndAddress_SenderAndTargetBothCarryThem()
    {
        byte[] mac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
        var buffer = new byte[GratuitousArp.Length];

        GratuitousArp.Write(buffer, mac, IPAddress.Parse("198.19.255.254"));

        Assert.Equal(mac, buffer[6..12]);
        Assert.Equal(mac, buffer[22..28]);
        Assert.Equal(mac, buffer[32..38]);
        Assert.Equal(new byte[] { 198, 19, 255, 254 }, buffer[28..32]);
        Assert.Equal(new byte[] { 198, 19, 255, 254 }, buffer[38..42]);
        Assert.Equal(new byte[] { 0x00, 0x01 }, buffer[20..22]);
    }

    [Fact]
    public void Write_ShortDestination_Throws()
    {
        Assert.Throws<ArgumentException>(() => GratuitousArp.Write(new byte[41], MacVA, IPAddress.Parse("198.18.0.100")));
    }

    [Fact]
    public void Write_MacNotSixBytes_Throws()
    {
        Assert.Throws<ArgumentException>(() => GratuitousArp.Write(new byte[42], MacVA.AsSpan(0, 5), IPAddress.Parse("198.18.0.100")));
    }

    [Fact]
    public void Write_Ipv6Address_Throws()
    {
        Assert.Throws<ArgumentException>(() => GratuitousArp.Write(new byte[42], MacVA, IPAddress.IPv6Loopback));
    }
}
