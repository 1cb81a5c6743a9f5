using System.Buffers.Binary;
using System.Net;
using Appliance.Engine.Protocol;

namespace Appliance.Engine.Platform.Linux;

/// <summary>
/// The two Ethernet frames the data plane writes itself: the gratuitous ARP (carp-wire-spec 3.7) and the
/// link-layer broadcast advert used with --nomcast (spec 1.1/1.2).
/// </summary>
internal static class LinkLayerFrames
{
    public const int EthernetHeaderLength = 14;
    public const int GratuitousArpLength = 42;
    public const int CarpPayloadLength = 36;
    public const int CarpFrameLength = EthernetHeaderLength + Ipv4Header.Length + CarpPayloadLength;

    public static ReadOnlySpan<byte> Broadcast => [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

    public static void WriteEthernetHeader(Span<byte> frame, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> source, ushort etherType)
    {
        destination[..6].CopyTo(frame);
        source[..6].CopyTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], etherType);
    }

    /// <summary>
    /// ucarp's 42-byte GARP: broadcast, ARP request, sender = target = (our MAC, VIP). Target MAC is our MAC,
    /// not zero (spec 3.7, observed); no padding.
    /// </summary>
    public static void WriteGratuitousArp(Span<byte> frame, ReadOnlySpan<byte> mac, IPAddress address)
    {
        WriteEthernetHeader(frame, Broadcast, mac, LinuxDefinitions.EthPArp);
        var arp = frame[EthernetHeaderLength..GratuitousArpLength];
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1); // hardware type Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], LinuxDefinitions.EthPIp);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], 1); // request
        mac[..6].CopyTo(arp[8..]);
        WriteIPv4(arp[14..18], address);
        mac[..6].CopyTo(arp[18..]);
        WriteIPv4(arp[24..28], address);
    }

    /// <summary>The 70-byte --nomcast advert: L2 broadcast, but the IP destination stays the group (spec 1.2).</summary>
    public static void WriteCarpFrame(Span<byte> frame, ReadOnlySpan<byte> mac, IPAddress source, IPAddress group, ushort id, ReadOnlySpan<byte> payload)
    {
        WriteEthernetHeader(frame, Broadcast, mac, LinuxDefinitions.EthPIp);
        Ipv4Header.Write(frame[EthernetHeaderLength..], source, group, id, payload.Length);
        payload.CopyTo(frame[(EthernetHeaderLength + Ipv4Header.Length)..]);
    }

    private static void WriteIPv4(Span<byte> destination, IPAddress address)
    {
        if (!address.TryWriteBytes(destination, out var written) || written != 4)
        {
            throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));
        }
    }
}
