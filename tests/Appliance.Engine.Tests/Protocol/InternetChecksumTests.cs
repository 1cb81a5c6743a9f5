using Appliance.Engine.Protocol;

namespace Appliance.Engine.Tests.Protocol;

public class InternetChecksumTests
{
    [Fact]
    public void Compute_LoneMasterCarpWithZeroedField_Is0x7a58()
    {
        var carp = CapturedPackets.LoneMaster.Carp.ToArray();
        carp[6] = 0;
        carp[7] = 0;

        Assert.Equal(0x7a58, InternetChecksum.Compute(carp));
    }

    [Theory]
    [MemberData(nameof(CapturedPackets.Names), MemberType = typeof(CapturedPackets))]
    public void Compute_CapturedIpHeaderWithZeroedField_EqualsCapturedChecksum(string name)
    {
        var header = CapturedPackets.ByName(name).Ipv4Packet[..20].ToArray();
        var captured = (ushort)((header[10] << 8) | header[11]);
        header[10] = 0;
        header[11] = 0;

        Assert.Equal(captured, InternetChecksum.Compute(header));
    }

    [Theory]
    [MemberData(nameof(CapturedPackets.Names), MemberType = typeof(CapturedPackets))]
    public void Compute_CapturedIpHeaderPlusCarp_IsZero(string name)
    {
        // ucarp's receive check: one pass over IP header + 36 CARP bytes must give 0.
        Assert.Equal(0, InternetChecksum.Compute(CapturedPackets.ByName(name).Ipv4Packet[..56]));
    }

    [Fact]
    public void Compute_Rfc1071Example_Is0x220d()
    {
        // RFC 1071 4.1: words 0001 f203 f4f5 f6f7 sum to 0xddf2, complement 0x220d.
        byte[] data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];

        Assert.Equal(0x220d, InternetChecksum.Compute(data));
    }

    [Fact]
    public void Compute_OddLength_PadsWithZeroByte()
    {
        byte[] odd = [0x12, 0x34, 0x56];
        byte[] padded = [0x12, 0x34, 0x56, 0x00];

        Assert.Equal(InternetChecksum.Compute(padded), InternetChecksum.Compute(odd));
        Assert.Equal(0x97cb, InternetChecksum.Compute(odd)); // ~(0x1234 + 0x5600)
    }

    [Fact]
    public void Compute_Empty_IsAllOnes()
    {
        Assert.Equal(0xFFFF, InternetChecksum.Compute([]));
    }

    [Fact]
    public void Compute_CarryAcrossManyWords_FoldsCarries()
    {
        var data = Enumerable.Repeat((byte)0xFF, 4000).ToArray();

        Assert.Equal(0x0000, InternetChecksum.Compute(data));
    }
}
