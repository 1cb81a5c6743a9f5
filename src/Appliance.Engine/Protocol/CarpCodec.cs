using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace Appliance.Engine.Protocol;

/// <summary>
/// The CARP advert as ucarp 1.5.2 writes and checks it (docs/carp-protocol.md, 2 On the wire and 5.1 Receive checks). Pure: spans in, values out.
/// </summary>
public static class CarpCodec
{
    public const int CarpLength = 36;
    public const int EthernetHeaderLength = 14;
    public const int FrameLength = EthernetHeaderLength + Ipv4Header.Length + CarpLength;
    public const byte CarpVersion = 2;
    public const byte AdvertisementType = 1;
    /// <summary>Counter + digest in 32-bit words.</summary>
    public const byte AuthLength = 7;
    private const ushort EtherTypeIpv4 = 0x0800;
    private const int MinIpv4HeaderLength = 20;

    /// <summary>
    /// Writes the 36-byte CARP header: 0x21, vhid, advskew, authlen 7, pad 0, advbase, checksum over
    /// the 36 bytes (no pseudo-header), counter big-endian, HMAC-SHA1 digest.
    /// </summary>
    public static void WriteAdvert(Span<byte> destination, byte vhid, byte advbase, byte advskew, ulong counter, CarpAuthenticator authenticator)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        if (destination.Length < CarpLength)
        {
            throw new ArgumentException($"need {CarpLength} bytes", nameof(destination));
        }
        var carp = destination[..CarpLength];
        carp[0] = (CarpVersion << 4) | AdvertisementType;
        carp[1] = vhid;
        carp[2] = advskew;
        carp[3] = AuthLength;
        carp[4] = 0;
        carp[5] = advbase;
        carp[6] = 0;
        carp[7] = 0;
        BinaryPrimitives.WriteUInt64BigEndian(carp[8..16], counter);
        authenticator.ComputeDigest(vhid, counter, carp[16..36]);
        BinaryPrimitives.WriteUInt16BigEndian(carp[6..8], InternetChecksum.Compute(carp));
    }

    /// <summary>
    /// Writes the whole 70-byte frame as ucarp sends it through AF_PACKET (docs/carp-protocol.md, 2.1 Frame):
    /// destination 01:00:5e + low 23 bits of the group (ff:ff:ff:ff:ff:ff with --nomcast; the IP
    /// destination stays the group), the given source MAC, 0x0800, the IPv4 header, the CARP header.
    /// </summary>
    public static int WriteFrame(Span<byte> destination, ReadOnlySpan<byte> sourceMac, IPAddress source, IPAddress group, ushort ipId, bool broadcast, ReadOnlySpan<byte> carp)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(group);
        if (destination.Length < FrameLength)
        {
            throw new ArgumentException($"need {FrameLength} bytes", nameof(destination));
        }
        if (sourceMac.Length != 6)
        {
            throw new ArgumentException("a MAC address is 6 bytes", nameof(sourceMac));
        }
        if (carp.Length != CarpLength)
        {
            throw new ArgumentException($"a CARP header is {CarpLength} bytes", nameof(carp));
        }
        var frame = destination[..FrameLength];
        if (broadcast)
        {
            frame[..6].Fill(0xFF);
        }
        else
        {
            Span<byte> groupBytes = stackalloc byte[4];
            if (!group.TryWriteBytes(groupBytes, out var written) || written != 4)
            {
                throw new ArgumentException($"{group} is not an IPv4 address", nameof(group));
            }
            // RFC 1112 6.4: 01:00:5e followed by the low 23 bits of the group address.
            frame[0] = 0x01;
            frame[1] = 0x00;
            frame[2] = 0x5E;
            frame[3] = (byte)(groupBytes[1] & 0x7F);
            frame[4] = groupBytes[2];
            frame[5] = groupBytes[3];
        }
        sourceMac.CopyTo(frame[6..12]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..14], EtherTypeIpv4);
        Ipv4Header.Write(frame[EthernetHeaderLength..], source, group, ipId, CarpLength);
        carp.CopyTo(frame[(EthernetHeaderLength + Ipv4Header.Length)..]);
        return FrameLength;
    }

    /// <summary>
    /// Validates an IPv4 packet (header included, as a raw socket delivers it) in ucarp's order
    /// (docs/carp-protocol.md, 5.1), with the unicast differences of 5.4 when the filter has peers. On false, <paramref name="reason"/> says why and <paramref name="detail"/>
    /// carries ucarp's log text where ucarp logs one. On true, <paramref name="reason"/> is meaningless.
    /// Type, authlen, pad, trailing bytes and the IP total length are not checked, as in ucarp.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> ipv4Packet, CarpReceiveFilter filter, out ReceivedAdvert advert, out DropReason reason, out string? detail)
    {
        ArgumentNullException.ThrowIfNull(filter);
        advert = default;
        detail = null;

        if (ipv4Packet.Length < MinIpv4HeaderLength || ipv4Packet[0] >> 4 != 4)
        {
            reason = DropReason.Truncated;
            return false;
        }
        var headerLength = (ipv4Packet[0] & 0x0F) * 4;
        if (headerLength < MinIpv4HeaderLength || ipv4Packet.Length < headerLength + CarpLength)
        {
            reason = DropReason.Truncated;
            return false;
        }

        var ttl = ipv4Packet[8];
        var protocol = ipv4Packet[9];
        var sourceBytes = ipv4Packet[12..16];
        var destinationBytes = ipv4Packet[16..20];
        var carp = ipv4Packet.Slice(headerLength, CarpLength);

        Span<byte> expected = stackalloc byte[4];
        WriteIpv4(filter.OwnSource, expected, nameof(filter));
        if (sourceBytes.SequenceEqual(expected))
        {
            reason = DropReason.OwnPacket;
            return false;
        }
        if (protocol != Ipv4Header.CarpProtocol)
        {
            reason = DropReason.NotCarp;
            return false;
        }
        // A unicast peer may be routers away, so its adverts may arrive with less than 255; the peer list takes the
        // TTL's place there (docs/carp-protocol.md, 5.4 Unicast peers, as FreeBSD's carp).
        var unicast = filter.IsUnicast;
        if (!unicast && ttl != Ipv4Header.CarpTtl)
        {
            reason = DropReason.BadTtl;
            detail = $"Bad TTL: [{ttl}]";
            return false;
        }
        var version = carp[0] >> 4;
        if (version != CarpVersion)
        {
            reason = DropReason.BadVersion;
            detail = $"Bad version: [{version}]";
            return false;
        }
        var vhid = carp[1];
        if (vhid != filter.Vhid)
        {
            reason = DropReason.WrongVhid;
            detail = $"Ignoring vhid: [{vhid}]";
            return false;
        }
        if (unicast)
        {
            // Unicast peers send to our own address (expected still holds it), never to the group.
            if (!destinationBytes.SequenceEqual(expected))
            {
                reason = DropReason.WrongDestination;
                detail = $"Ignoring advert to [{Dotted(destinationBytes)}]: with unicast peers only adverts sent to {filter.OwnSource} count";
                return false;
            }
            if (!filter.Peers!.ContainsIPv4(sourceBytes))
            {
                reason = DropReason.NotPeer;
                detail = $"Ignoring advert from [{Dotted(sourceBytes)}]: not a configured peer";
                return false;
            }
        }
        else
        {
            WriteIpv4(filter.Group, expected, nameof(filter));
            if (!destinationBytes.SequenceEqual(expected))
            {
                reason = DropReason.WrongDestination;
                detail = $"Ignoring different multicast ip: [{Dotted(destinationBytes)}]";
                return false;
            }
        }
        // ucarp sums IP header (options included) and the 36 CARP bytes in one pass and wants 0:
        // either checksum being wrong gives the single "Bad IP checksum".
        if (InternetChecksum.Compute(ipv4Packet[..(headerLength + CarpLength)]) != 0)
        {
            reason = DropReason.BadChecksum;
            detail = "Bad IP checksum";
            return false;
        }
        var counter = BinaryPrimitives.ReadUInt64BigEndian(carp[8..16]);
        var received = carp[16..36];
        Span<byte> computed = stackalloc byte[CarpAuthenticator.DigestLength];
        filter.Authenticator.ComputeDigest(vhid, counter, computed);
        if (!CryptographicOperations.FixedTimeEquals(computed, received))
        {
            reason = DropReason.BadDigest;
            detail = $"Bad digest - md2=[{Convert.ToHexStringLower(computed[..4])}...] md=[{Convert.ToHexStringLower(received[..4])}...] - Check vhid, password and virtual IP address";
            return false;
        }

        reason = default;
        advert = new ReceivedAdvert(new IPAddress(sourceBytes), vhid, carp[5], carp[2], counter, ttl) { Demotion = carp[4] };
        return true;
    }

    private static string Dotted(ReadOnlySpan<byte> address) => $"{address[0]}.{address[1]}.{address[2]}.{address[3]}";

    private static void WriteIpv4(IPAddress address, Span<byte> destination, string parameterName)
    {
        if (!address.TryWriteBytes(destination, out var written) || written != 4)
        {
            throw new ArgumentException($"{address} in the receive filter is not an IPv4 address", parameterName);
        }
    }
}
