using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Appliance.Engine.Protocol;

namespace Appliance.Engine.Tests.Protocol;

/// <summary>
/// ucarp's receive checks (docs/carp-protocol.md, 5.1), each exercised by a packet crafted from the 7.2 capture
/// (src 198.18.0.2, vhid 9, key pw123, VIP 198.18.0.60) with one thing wrong and checksums re-fixed,
/// so that only the intended check can fire.
/// </summary>
public class CarpCodecDropTests
{
    private static readonly CapturedAdvert Base = CapturedPackets.Takeover;
    private static readonly CarpReceiveFilter Filter = new(
        IPAddress.Parse("198.18.0.1"), Base.Vhid, CapturedPackets.Group, new CarpAuthenticator(Base.Password, Base.Vip));

    private static byte[] Craft(Action<byte[]> change, bool fixChecksums = true)
    {
        var packet = Base.Ipv4Packet.ToArray();
        change(packet);
        if (fixChecksums)
        {
            FixChecksums(packet);
        }
        return packet;
    }

    private static void FixChecksums(byte[] packet)
    {
        var ihl = (packet[0] & 0x0F) * 4;
        packet[10] = 0;
        packet[11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), InternetChecksum.Compute(packet.AsSpan(0, ihl)));
        packet[ihl + 6] = 0;
        packet[ihl + 7] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(ihl + 6), InternetChecksum.Compute(packet.AsSpan(ihl, 36)));
    }

    private static (bool Ok, DropReason Reason, string? Detail) Decode(byte[] packet, CarpReceiveFilter? filter = null)
    {
        var ok = CarpCodec.TryDecode(packet, filter ?? Filter, out _, out var reason, out var detail);
        return (ok, reason, detail);
    }

    [Fact]
    public void TryDecode_Ttl64_BadTtlWithUcarpText()
    {
        var result = Decode(Craft(p => p[8] = 64));

        Assert.Equal((false, DropReason.BadTtl, "Bad TTL: [64]"), result);
    }

    [Fact]
    public void TryDecode_Version3_BadVersionWithUcarpText()
    {
        var result = Decode(Craft(p => p[20] = 0x31));

        Assert.Equal((false, DropReason.BadVersion, "Bad version: [3]"), result);
    }

    [Fact]
    public void TryDecode_Vhid10_WrongVhidWithUcarpText()
    {
        var result = Decode(Craft(p => p[21] = 10));

        Assert.Equal((false, DropReason.WrongVhid, "Ignoring vhid: [10]"), result);
    }

    [Fact]
    public void TryDecode_UnicastDestination_WrongDestinationWithUcarpText()
    {
        var result = Decode(Craft(p => new byte[] { 198, 18, 0, 9 }.CopyTo(p, 16)));

        Assert.Equal((false, DropReason.WrongDestination, "Ignoring different multicast ip: [198.18.0.9]"), result);
    }

    [Fact]
    public void TryDecode_OtherGroupConfigured_CapturedAdvertIsWrongDestination()
    {
        var filter = Filter with { Group = IPAddress.Parse("239.1.2.3") };

        var result = Decode(Base.Ipv4Packet.ToArray(), filter);

        Assert.Equal((false, DropReason.WrongDestination, "Ignoring different multicast ip: [224.0.0.18]"), result);
    }

    [Theory]
    [InlineData(26)] // CARP checksum, high byte
    [InlineData(27)] // CARP checksum, low byte
    [InlineData(10)] // IP header checksum
    [InlineData(11)]
    public void TryDecode_FlippedChecksumByte_BadChecksum(int index)
    {
        var result = Decode(Craft(p => p[index] ^= 0x40, fixChecksums: false));

        Assert.Equal((false, DropReason.BadChecksum, "Bad IP checksum"), result);
    }

    [Fact]
    public void TryDecode_AdvskewChangedWithoutChecksumFix_BadChecksum()
    {
        var result = Decode(Craft(p => p[22] = 0, fixChecksums: false));

        Assert.Equal((false, DropReason.BadChecksum, "Bad IP checksum"), result);
    }

    [Fact]
    public void TryDecode_WrongPassword_BadDigestWithBothDigestPrefixes()
    {
        var filter = Filter with { Authenticator = new CarpAuthenticator("wrong", Base.Vip) };
        byte[] message = [2, 1, Base.Vhid, 198, 18, 0, 60, .. Base.Carp[8..16]];
        var md2 = HMACSHA1.HashData(Encoding.ASCII.GetBytes("wrong"), message);

        var result = Decode(Base.Ipv4Packet.ToArray(), filter);

        Assert.Equal(
            (false, DropReason.BadDigest,
             $"Bad digest - md2=[{Convert.ToHexStringLower(md2, 0, 4)}...] md=[7904a9b6...] - Check vhid, password and virtual IP address"),
            result);
    }

    [Fact]
    public void TryDecode_WrongVip_BadDigest()
    {
        var filter = Filter with { Authenticator = new CarpAuthenticator(Base.Password, IPAddress.Parse("198.18.0.61")) };

        var result = Decode(Base.Ipv4Packet.ToArray(), filter);

        Assert.Equal(DropReason.BadDigest, result.Reason);
        Assert.False(result.Ok);
        Assert.EndsWith("md=[7904a9b6...] - Check vhid, password and virtual IP address", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_CounterChangedChecksumFixed_BadDigest()
    {
        var result = Decode(Craft(p => p[35] ^= 0x01));

        Assert.Equal(DropReason.BadDigest, result.Reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(19)]
    [InlineData(20)]
    [InlineData(36)]
    [InlineData(55)]
    public void TryDecode_ShorterThanHeaderPlus36_Truncated(int length)
    {
        var result = Decode(Base.Ipv4Packet[..length].ToArray());

        Assert.Equal((false, DropReason.Truncated, (string?)null), result);
    }

    [Fact]
    public void TryDecode_ExactlyHeaderPlus36_Accepted()
    {
        Assert.True(Decode(Base.Ipv4Packet[..56].ToArray()).Ok);
    }

    [Theory]
    [InlineData(0x65)] // IPv6 version nibble
    [InlineData(0x05)]
    [InlineData(0x44)] // IHL 4: shorter than an IPv4 header
    [InlineData(0x40)]
    public void TryDecode_NotAnIpv4Header_Truncated(byte versionAndIhl)
    {
        var result = Decode(Craft(p => p[0] = versionAndIhl, fixChecksums: false));

        Assert.Equal((false, DropReason.Truncated, (string?)null), result);
    }

    [Fact]
    public void TryDecode_IhlBeyondPacket_Truncated()
    {
        // IHL 15 = 60-byte header: 60 + 36 > 56.
        var result = Decode(Craft(p => p[0] = 0x4F, fixChecksums: false));

        Assert.Equal(DropReason.Truncated, result.Reason);
    }

    [Theory]
    [InlineData(17)] // UDP
    [InlineData(6)] // TCP
    public void TryDecode_NotProtocol112_NotCarp(byte protocol)
    {
        var result = Decode(Craft(p => p[9] = protocol));

        Assert.Equal((false, DropReason.NotCarp, (string?)null), result);
    }

    [Fact]
    public void TryDecode_OwnSource_OwnPacket()
    {
        var filter = Filter with { OwnSource = Base.Source };

        var result = Decode(Base.Ipv4Packet.ToArray(), filter);

        Assert.Equal((false, DropReason.OwnPacket, (string?)null), result);
    }

    // Two faults at once: the earlier check in ucarp's order must win.
    [Fact]
    public void TryDecode_TwoFaults_EarlierCheckWins()
    {
        var own = Filter with { OwnSource = Base.Source };
        Assert.Equal(DropReason.Truncated, Decode(Base.Ipv4Packet[..40].ToArray(), own).Reason);
        Assert.Equal(DropReason.OwnPacket, Decode(Craft(p => p[9] = 17), own).Reason);
        Assert.Equal(DropReason.NotCarp, Decode(Craft(p => { p[9] = 17; p[8] = 64; })).Reason);
        Assert.Equal(DropReason.BadTtl, Decode(Craft(p => { p[8] = 64; p[20] = 0x31; })).Reason);
        Assert.Equal(DropReason.BadVersion, Decode(Craft(p => { p[20] = 0x31; p[21] = 10; })).Reason);
        Assert.Equal(DropReason.WrongVhid, Decode(Craft(p => { p[21] = 10; p[19] = 9; })).Reason);
        Assert.Equal(DropReason.WrongDestination, Decode(Craft(p => { p[19] = 9; p[26] ^= 1; }, fixChecksums: false)).Reason);
        var wrongKey = Filter with { Authenticator = new CarpAuthenticator("wrong", Base.Vip) };
        Assert.Equal(DropReason.BadChecksum, Decode(Craft(p => p[26] ^= 1, fixChecksums: false), wrongKey).Reason);
    }

    [Fact]
    public void TryDecode_Type2Authlen0Pad9Skew200_AcceptedAsUcarpDoes()
    {
        // docs/carp-protocol.md, 7.4: type, authlen and pad are not checked; advskew is not authenticated.
        var packet = Craft(p =>
        {
            p[20] = 0x22;
            p[22] = 200;
            p[23] = 0;
            p[24] = 9;
        });

        var ok = CarpCodec.TryDecode(packet, Filter, out var advert, out _, out var detail);

        Assert.True(ok);
        Assert.Null(detail);
        Assert.Equal(new ReceivedAdvert(Base.Source, 9, 1, 200, Base.Counter, 255) { Demotion = 9 }, advert);
    }

    [Fact]
    public void TryDecode_OtherSourceAddress_AcceptedBecauseSourceIsNotAuthenticated()
    {
        var packet = Craft(p => new byte[] { 198, 18, 1, 1 }.CopyTo(p, 12));

        var ok = CarpCodec.TryDecode(packet, Filter, out var advert, out _, out _);

        Assert.True(ok);
        Assert.Equal(IPAddress.Parse("198.18.1.1"), advert.Source);
    }

    [Fact]
    public void TryDecode_TrailingBytesAndOddTotalLength_Ignored()
    {
        var packet = Base.Ipv4Packet.ToArray().Concat(new byte[] { 1, 2, 3, 4, 5 }).ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 1000);
        FixChecksums(packet);

        var ok = CarpCodec.TryDecode(packet, Filter, out var advert, out _, out _);

        Assert.True(ok);
        Assert.Equal(Base.Counter, advert.Counter);
    }

    [Fact]
    public void TryDecode_IpOptions_CarpReadAfterIhl()
    {
        // IHL 6 with a router-alert option (RFC 2113) between the header and CARP.
        var original = Base.Ipv4Packet.ToArray();
        var packet = new byte[60];
        original.AsSpan(0, 20).CopyTo(packet);
        packet[0] = 0x46;
        packet[20] = 0x94;
        packet[21] = 0x04;
        original.AsSpan(20, 36).CopyTo(packet.AsSpan(24));
        FixChecksums(packet);

        var ok = CarpCodec.TryDecode(packet, Filter, out var advert, out var reason, out var detail);

        Assert.True(ok, $"{reason}: {detail}");
        Assert.Equal(new ReceivedAdvert(Base.Source, 9, 1, 100, Base.Counter, 255), advert);
        Assert.Equal(DropReason.Truncated, Decode(packet[..59]).Reason);
    }

    [Fact]
    public void TryDecode_IpOptionsWithBadHeaderChecksum_BadChecksum()
    {
        var original = Base.Ipv4Packet.ToArray();
        var packet = new byte[60];
        original.AsSpan(0, 20).CopyTo(packet);
        packet[0] = 0x46;
        packet[20] = 0x94;
        packet[21] = 0x04;
        original.AsSpan(20, 36).CopyTo(packet.AsSpan(24));
        FixChecksums(packet);
        packet[22] = 0x01; // option bytes are covered by the header checksum

        Assert.Equal(DropReason.BadChecksum, Decode(packet).Reason);
    }

    [Fact]
    public void TryDecode_Ipv6FilterAddress_Throws()
    {
        var filter = Filter with { OwnSource = IPAddress.IPv6Loopback };

        Assert.Throws<ArgumentException>(() => Decode(Base.Ipv4Packet.ToArray(), filter));
    }
}
