using System.Buffers.Binary;
using System.Net;

namespace Appliance.Engine.Protocol;

/// <summary>The 20-byte IPv4 header ucarp puts on every advert (docs/carp-protocol.md, 2.2 IPv4 header).</summary>
public static class Ipv4Header
{
    public const int Length = 20;
    public const byte CarpProtocol = 112;
    public const byte CarpTtl = 255;
    /// <summary>IPTOS_LOWDELAY, as ucarp and OpenBSD send.</summary>
    public const byte CarpTos = 0x10;

    /// <summary>Writes version/IHL 0x45, TOS 0x10, DF, TTL 255, protocol 112 and the header checksum.</summary>
    public static void Write(Span<byte> destination, IPAddress source, IPAddress destinationAddress, ushort id, int payloadLength)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"need {Length} bytes", nameof(destination));
        }
        var header = destination[..Length];
        header[0] = 0x45;
        header[1] = CarpTos;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(Length + payloadLength));
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], id);
        BinaryPrimitives.WriteUInt16BigEndian(header[6..], 0x4000); // DF
        header[8] = CarpTtl;
        header[9] = CarpProtocol;
        header[10] = 0;
        header[11] = 0;
        WriteAddress(header[12..16], source);
        WriteAddress(header[16..20], destinationAddress);
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], InternetChecksum.Compute(header));
    }

    private static void WriteAddress(Span<byte> destination, IPAddress address)
    {
        if (!address.TryWriteBytes(destination, out var written) || written != 4)
        {
            throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));
        }
    }
}
