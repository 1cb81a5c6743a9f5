using System.Buffers.Binary;
using System.Net;

namespace Appliance.Engine.Protocol;

/// <summary>
/// The 42-byte gratuitous ARP ucarp sends (docs/carp-protocol.md, 6.6 Gratuitous ARP): broadcast, ARP request, sender and
/// target both (mac, vip) — the target MAC is the real MAC, not zero. No padding.
/// </summary>
public static class GratuitousArp
{
    public const int Length = 42;
    private const ushort EtherTypeArp = 0x0806;

    public static int Write(Span<byte> destination, ReadOnlySpan<byte> mac, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (destination.Length < Length)
        {
            throw new ArgumentException($"need {Length} bytes", nameof(destination));
        }
        if (mac.Length != 6)
        {
            throw new ArgumentException("a MAC address is 6 bytes", nameof(mac));
        }
        Span<byte> ip = stackalloc byte[4];
        if (!address.TryWriteBytes(ip, out var written) || written != 4)
        {
            throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));
        }
        var frame = destination[..Length];
        frame[..6].Fill(0xFF);
        mac.CopyTo(frame[6..12]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], EtherTypeArp);
        BinaryPrimitives.WriteUInt16BigEndian(frame[14..], 1); // hardware: Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(frame[16..], 0x0800); // protocol: IPv4
        frame[18] = 6;
        frame[19] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(frame[20..], 1); // op: request
        mac.CopyTo(frame[22..28]);
        ip.CopyTo(frame[28..32]);
        mac.CopyTo(frame[32..38]);
        ip.CopyTo(frame[38..42]);
        return Length;
    }
}
