using Appliance.Engine.Protocol;

namespace Appliance.Engine.Tests.Protocol;

public class Ipv4HeaderTests
{
    [Theory]
    [MemberData(nameof(CapturedPackets.Names), MemberType = typeof(CapturedPackets))]
    public void Write_CapturedParameters_ReproducesCapturedHeader(string name)
    {
        var captured = CapturedPackets.ByName(name);
        var header = new byte[Ipv4Header.Length];

        Ipv4Header.Write(header, captured.Source, CapturedPackets.Group, captured.IpId, CarpCodec.CarpLength);

        Assert.Equal(Convert.ToHexString(captured.Ipv4Packet[..20]), Convert.ToHexString(header));
    }

    [Fact]
    public void Write_ShortDestination_Throws()
    {
        Assert.Throws<ArgumentException>(() => Ipv4Header.Write(new byte[19], CapturedPackets.LoneMaster.Source, CapturedPackets.Group, 1, 36));
    }
}
