using System.Buffers.Binary;
using System.Net;
using Appliance.Engine.Protocol;

namespace Appliance.Engine.Tests.Protocol;

/// <summary>
/// The receive checks with unicast peers (docs/carp-protocol.md, 5.4 Unicast peers): the destination must be our own
/// address, the source one of the peers, and the TTL is not checked. Packets are the 7.2 capture (src 198.18.0.2,
/// vhid 9) re-addressed, checksums fixed.
/// </summary>
public class CarpCodecUnicastTests
{
    private static readonly CapturedAdvert Base = CapturedPackets.Takeover;
    private static readonly IPAddress Own = IPAddress.Parse("198.18.0.1");
    private static readonly IPAddress Peer = IPAddress.Parse("198.18.0.2");
    private static readonly CarpAuthenticator Authenticator = new(Base.Password, Base.Vip);
    private static readonly CarpReceiveFilter Unicast = new(Own, Base.Vhid, CapturedPackets.Group, Authenticator, new CarpPeers([IPAddress.Parse("198.18.0.7"), Peer]));
    private static readonly CarpReceiveFilter Multicast = new(Own, Base.Vhid, CapturedPackets.Group, Authenticator);

    /// <summary>The capture with another source, destination and TTL, its IP checksum fixed.</summary>
    private static byte[] Packet(string? destination = null, string? source = null, byte ttl = 255)
    {
        var packet = Base.Ipv4Packet.ToArray();
        packet[8] = ttl;
        IPAddress.Parse(source ?? Peer.ToString()).TryWriteBytes(packet.AsSpan(12, 4), out _);
        IPAddress.Parse(destination ?? Own.ToString()).TryWriteBytes(packet.AsSpan(16, 4), out _);
        packet[10] = 0;
        packet[11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), InternetChecksum.Compute(packet.AsSpan(0, 20)));
        return packet;
    }

    private static (bool Ok, DropReason Reason, string? Detail) Decode(byte[] packet, CarpReceiveFilter filter)
    {
        var ok = CarpCodec.TryDecode(packet, filter, out _, out var reason, out var detail);
        return (ok, ok ? default : reason, detail);
    }

    [Fact]
    public void TryDecode_FromPeerToOwnAddress_Accepted()
    {
        Assert.True(CarpCodec.TryDecode(Packet(), Unicast, out var advert, out _, out _));

        Assert.Equal(Peer, advert.Source);
        Assert.Equal(Base.Counter, advert.Counter);
    }

    [Fact]
    public void TryDecode_UnicastToOwnAddressInMulticastMode_WrongDestination()
    {
        Assert.Equal((false, DropReason.WrongDestination, "Ignoring different multicast ip: [198.18.0.1]"), Decode(Packet(), Multicast));
    }

    [Fact]
    public void TryDecode_FromAnAddressThatIsNoPeer_NotPeerNamingTheSource()
    {
        var result = Decode(Packet(source: "198.18.0.66"), Unicast);

        Assert.Equal((false, DropReason.NotPeer, "Ignoring advert from [198.18.0.66]: not a configured peer"), result);
    }

    [Fact]
    public void TryDecode_NotPeerIsCheckedBeforeTheDigest_AValidlySignedAdvertFromAStrangerIsStillDropped()
    {
        // The capture is signed correctly: only the peer list stands between it and the state machine.
        Assert.True(Decode(Packet(source: "198.18.0.66"), Unicast with { Peers = new CarpPeers([IPAddress.Parse("198.18.0.66")]) }).Ok);
        Assert.Equal(DropReason.NotPeer, Decode(Packet(source: "198.18.0.66"), Unicast).Reason);
        // Before the digest: a stranger with the wrong key is still notPeer, so it costs no HMAC.
        Assert.Equal(DropReason.NotPeer, Decode(Packet(source: "198.18.0.66"), Unicast with { Authenticator = new CarpAuthenticator("other", Base.Vip) }).Reason);
    }

    [Fact]
    public void TryDecode_ToTheGroupInUnicastMode_WrongDestination()
    {
        var result = Decode(Packet(destination: "224.0.0.18"), Unicast);

        Assert.Equal((false, DropReason.WrongDestination, "Ignoring advert to [224.0.0.18]: with unicast peers only adverts sent to 198.18.0.1 count"), result);
    }

    [Fact]
    public void TryDecode_ToAnotherUnicastAddress_WrongDestination()
    {
        Assert.Equal(DropReason.WrongDestination, Decode(Packet(destination: "198.18.0.60"), Unicast).Reason);
    }

    [Fact]
    public void TryDecode_Ttl64_AcceptedFromAPeerButBadTtlInMulticastMode()
    {
        // A routed peer's advert arrives with less than 255 (FreeBSD checks the TTL in multicast mode only).
        Assert.True(Decode(Packet(ttl: 64), Unicast).Ok);
        Assert.Equal((false, DropReason.BadTtl, "Bad TTL: [64]"), Decode(Packet(destination: "224.0.0.18", ttl: 64), Multicast));
    }

    [Fact]
    public void TryDecode_OwnAdvertInUnicastMode_OwnPacketBeforeThePeerCheck()
    {
        Assert.Equal(DropReason.OwnPacket, Decode(Packet(source: "198.18.0.1", destination: "198.18.0.2"), Unicast).Reason);
    }

    [Fact]
    public void TryDecode_PeerWithWrongPassword_BadDigest()
    {
        var wrongKey = Unicast with { Authenticator = new CarpAuthenticator("other", Base.Vip) };

        Assert.Equal(DropReason.BadDigest, Decode(Packet(), wrongKey).Reason);
    }

    [Fact]
    public void TryDecode_PeerChecks_AllocateNothingBeyondTheSourceAddress()
    {
        var packet = Packet();
        Assert.True(CarpCodec.TryDecode(packet, Unicast, out _, out _, out _));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            CarpCodec.TryDecode(packet, Unicast, out _, out _, out _);
        }
        var perDecode = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
        var before1 = GC.GetAllocatedBytesForCurrentThread();
        _ = new IPAddress(packet.AsSpan(12, 4));
        var oneAddress = GC.GetAllocatedBytesForCurrentThread() - before1;

        Assert.Equal(oneAddress, perDecode);
    }

    [Fact]
    public void CarpPeers_EqualByValue_SoAnUnchangedConfigDoesNotRestart()
    {
        var a = new CarpPeers([IPAddress.Parse("198.18.0.2"), IPAddress.Parse("198.18.0.3")]);
        var b = new CarpPeers([IPAddress.Parse("198.18.0.2"), IPAddress.Parse("198.18.0.3")]);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, new CarpPeers([IPAddress.Parse("198.18.0.2")]));
        Assert.Equal(CarpPeers.None, new CarpPeers([]));
        Assert.False(CarpPeers.None.IsUnicast);
        Assert.Equal("198.18.0.2, 198.18.0.3", a.ToString());
    }
}
