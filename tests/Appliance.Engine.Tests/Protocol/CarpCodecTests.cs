using System.Buffers.Binary;
using System.Net;
using Appliance.Engine.Protocol;

namespace Appliance.Engine.Tests.Protocol;

public class CarpCodecTests
{
    private static byte[] UcarpSourceMac(byte vhid) => [0x00, 0x00, 0x5e, 0x00, 0x00, vhid];

    private static CarpReceiveFilter PeerFilter(CapturedAdvert captured) =>
        new(IPAddress.Parse("198.19.0.1"), captured.Vhid, CapturedPackets.Group, new CarpAuthenticator(captured.Password, captured.Vip));

    [Theory]
    [MemberData(nameof(CapturedPackets.Names), MemberType = typeof(CapturedPackets))]
    public void TryDecode_CapturedAdvert_AcceptedWithCapturedFields(string name)
    {
        var captured = CapturedPackets.ByName(name);

        var ok = CarpCodec.TryDecode(captured.Ipv4Packet, PeerFilter(captured), out var advert, out _, out var detail);

        Assert.True(ok);
        Assert.Null(detail);
        Assert.Equal(new ReceivedAdvert(captured.Source, captured.Vhid, captured.AdvBase, captured.AdvSkew, captured.Counter, 255), advert);
    }

    [Theory]
    [MemberData(nameof(CapturedPackets.Names), MemberType = typeof(CapturedPackets))]
    public void WriteAdvert_CapturedParameters_ReproducesCapturedCarpBytes(string name)
    {
        var captured = CapturedPackets.ByName(name);
        var carp = new byte[CarpCodec.CarpLength];

        CarpCodec.WriteAdvert(carp, captured.Vhid, captured.AdvBase, captured.AdvSkew, captured.Counter, new CarpAuthenticator(captured.Password, captured.Vip));

        Assert.Equal(Convert.ToHexString(captured.Carp), Convert.ToHexString(carp));
    }

    [Theory]
    [MemberData(nameof(CapturedPackets.Names), MemberType = typeof(CapturedPackets))]
    public void WriteFrame_CapturedParameters_ReproducesCapturedFrame(string name)
    {
        var captured = CapturedPackets.ByName(name);
        var carp = new byte[CarpCodec.CarpLength];
        CarpCodec.WriteAdvert(carp, captured.Vhid, captured.AdvBase, captured.AdvSkew, captured.Counter, new CarpAuthenticator(captured.Password, captured.Vip));
        var frame = new byte[100];

        var length = CarpCodec.WriteFrame(frame, UcarpSourceMac(captured.Vhid), captured.Source, CapturedPackets.Group, captured.IpId, captured.Broadcast, carp);

        Assert.Equal(70, length);
        Assert.Equal(Convert.ToHexString(captured.Frame), Convert.ToHexString(frame, 0, length));
        Assert.All(frame[length..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void WriteAdvert_Always_ChecksumVerifiesAndPadIsZero()
    {
        var carp = new byte[CarpCodec.CarpLength];

        CarpCodec.WriteAdvert(carp, 77, 3, 250, 123456789, new CarpAuthenticator("k", IPAddress.Parse("198.18.7.7")));

        Assert.Equal(0, InternetChecksum.Compute(carp));
        Assert.Equal(new byte[] { 0x21, 77, 250, 7, 0, 3 }, carp[..6]);
    }

    [Fact]
    public void WriteAdvert_ShortDestination_Throws()
    {
        Assert.Throws<ArgumentException>(() =>
            CarpCodec.WriteAdvert(new byte[35], 1, 1, 0, 0, new CarpAuthenticator("k", IPAddress.Parse("198.18.7.7"))));
    }

    [Theory]
    [InlineData("224.0.0.18", "01005e000012")]
    [InlineData("239.255.1.2", "01005e7f0102")] // only the low 23 bits of the group
    [InlineData("224.128.0.18", "01005e000012")]
    public void WriteFrame_MulticastGroup_DestinationMacFromLow23Bits(string group, string expectedMac)
    {
        var frame = new byte[CarpCodec.EthernetHeaderLength + 20 + CarpCodec.CarpLength];

        CarpCodec.WriteFrame(frame, UcarpSourceMac(1), IPAddress.Parse("198.18.0.1"), IPAddress.Parse(group), 1, broadcast: false, new byte[36]);

        Assert.Equal(expectedMac, Convert.ToHexStringLower(frame, 0, 6));
        Assert.Equal(IPAddress.Parse(group).GetAddressBytes(), frame[30..34]);
    }

    [Fact]
    public void WriteFrame_Broadcast_IpDestinationStaysGroup()
    {
        var frame = new byte[70];

        CarpCodec.WriteFrame(frame, UcarpSourceMac(1), IPAddress.Parse("198.18.0.1"), CapturedPackets.Group, 1, broadcast: true, new byte[36]);

        Assert.Equal("ffffffffffff", Convert.ToHexStringLower(frame, 0, 6));
        Assert.Equal(new byte[] { 224, 0, 0, 18 }, frame[30..34]);
    }

    [Fact]
    public void WriteFrame_BadArguments_Throw()
    {
        var source = IPAddress.Parse("198.18.0.1");
        Assert.Throws<ArgumentException>(() => CarpCodec.WriteFrame(new byte[69], UcarpSourceMac(1), source, CapturedPackets.Group, 1, false, new byte[36]));
        Assert.Throws<ArgumentException>(() => CarpCodec.WriteFrame(new byte[70], new byte[5], source, CapturedPackets.Group, 1, false, new byte[36]));
        Assert.Throws<ArgumentException>(() => CarpCodec.WriteFrame(new byte[70], UcarpSourceMac(1), source, CapturedPackets.Group, 1, false, new byte[35]));
        Assert.Throws<ArgumentException>(() => CarpCodec.WriteFrame(new byte[70], UcarpSourceMac(1), source, IPAddress.IPv6Loopback, 1, false, new byte[36]));
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(0xca2fd5f943b09df5UL)]
    [InlineData(0x00000001FFFFFFFFUL)]
    [InlineData(0xFFFFFFFFFFFFFFFFUL)]
    public void WriteFrameThenTryDecode_Counter_RoundTrips(ulong counter)
    {
        var authenticator = new CarpAuthenticator("pw123", IPAddress.Parse("198.18.0.60"));
        var source = IPAddress.Parse("198.18.0.2");
        var carp = new byte[CarpCodec.CarpLength];
        CarpCodec.WriteAdvert(carp, 9, 2, 100, counter, authenticator);
        var frame = new byte[70];
        CarpCodec.WriteFrame(frame, UcarpSourceMac(9), source, CapturedPackets.Group, 0xBEEF, false, carp);
        var filter = new CarpReceiveFilter(IPAddress.Parse("198.18.0.1"), 9, CapturedPackets.Group, authenticator);

        var ok = CarpCodec.TryDecode(frame.AsSpan(CarpCodec.EthernetHeaderLength), filter, out var advert, out _, out _);

        Assert.True(ok);
        Assert.Equal(counter, advert.Counter);
        Assert.Equal(counter, BinaryPrimitives.ReadUInt64BigEndian(frame.AsSpan(42, 8)));
        Assert.Equal(new ReceivedAdvert(source, 9, 2, 100, counter, 255), advert);
    }
}
