using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Appliance.Engine.Platform.Linux;

/// <summary>Builds one rtnetlink request: header, fixed body, then rtattr attributes, each 4-byte aligned.</summary>
internal sealed class NetlinkMessage
{
    private readonly byte[] _buffer = new byte[512];
    private readonly ushort _type;
    private readonly ushort _flags;
    private int _length = Unsafe.SizeOf<nlmsghdr>();

    public NetlinkMessage(ushort type, ushort flags)
    {
        _type = type;
        _flags = flags;
    }

    public ushort Type => _type;

    public NetlinkMessage Body<T>(T body)
        where T : unmanaged
    {
        MemoryMarshal.Write(_buffer.AsSpan(_length), in body);
        _length += Netlink.Align(Unsafe.SizeOf<T>());
        return this;
    }

    public NetlinkMessage Attribute(ushort type, ReadOnlySpan<byte> value)
    {
        var header = new rtattr { rta_len = (ushort)(Unsafe.SizeOf<rtattr>() + value.Length), rta_type = type };
        MemoryMarshal.Write(_buffer.AsSpan(_length), in header);
        value.CopyTo(_buffer.AsSpan(_length + Unsafe.SizeOf<rtattr>()));
        _length += Netlink.Align(header.rta_len);
        return this;
    }

    /// <summary>Stamps length and sequence number into the header and returns the bytes to send.</summary>
    public ReadOnlySpan<byte> Finish(uint sequence)
    {
        var header = new nlmsghdr
        {
            nlmsg_len = (uint)_length,
            nlmsg_type = _type,
            nlmsg_flags = _flags,
            nlmsg_seq = sequence,
        };
        MemoryMarshal.Write(_buffer, in header);
        return _buffer.AsSpan(0, _length);
    }
}

/// <summary>Reads the rtattr list that follows a message's fixed body.</summary>
internal static class NetlinkAttributes
{
    public static bool TryFind(ReadOnlySpan<byte> attributes, ushort type, out ReadOnlySpan<byte> value)
    {
        var headerSize = Unsafe.SizeOf<rtattr>();
        while (attributes.Length >= headerSize)
        {
            var header = MemoryMarshal.Read<rtattr>(attributes);
            if (header.rta_len < headerSize || header.rta_len > attributes.Length)
            {
                break;
            }
            if (header.rta_type == type)
            {
                value = attributes[headerSize..header.rta_len];
                return true;
            }
            var next = Netlink.Align(header.rta_len);
            attributes = next >= attributes.Length ? [] : attributes[next..];
        }
        value = default;
        return false;
    }

    /// <summary>A NUL-terminated string attribute such as IFLA_IFNAME.</summary>
    public static string? FindString(ReadOnlySpan<byte> attributes, ushort type)
    {
        if (!TryFind(attributes, type, out var value))
        {
            return null;
        }
        var end = value.IndexOf((byte)0);
        return System.Text.Encoding.ASCII.GetString(end < 0 ? value : value[..end]);
    }
}
