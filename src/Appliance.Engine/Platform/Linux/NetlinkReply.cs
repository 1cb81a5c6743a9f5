using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Appliance.Engine.Platform.Linux;

/// <summary>
/// Reads what the kernel sends on a netlink socket: the messages of one datagram and the nlmsgerr of an ack. Pure
/// and length-checked before every read, so a truncated, oversized or garbled reply is skipped, never misread
/// (fuzzed by fuzz/Appliance.Fuzz, target netlink).
/// </summary>
internal static class NetlinkReply
{
    public delegate void MessageHandler(nlmsghdr header, ReadOnlySpan<byte> body);

    /// <summary>
    /// Calls <paramref name="handler"/> for each whole message of <paramref name="datagram"/>, with the bytes after
    /// the 16-byte header. Stops at the first message whose length is below the header size or beyond the datagram.
    /// </summary>
    public static void ForEach(ReadOnlySpan<byte> datagram, MessageHandler handler)
    {
        var headerSize = Unsafe.SizeOf<nlmsghdr>();
        while (datagram.Length >= headerSize)
        {
            var header = MemoryMarshal.Read<nlmsghdr>(datagram);
            if (header.nlmsg_len < headerSize || header.nlmsg_len > datagram.Length)
            {
                return;
            }
            handler(header, datagram[headerSize..(int)header.nlmsg_len]);
            var next = Netlink.Align((int)header.nlmsg_len);
            datagram = next >= datagram.Length ? [] : datagram[next..];
        }
    }

    /// <summary>
    /// The errno of an NLMSG_ERROR body (struct nlmsgerr: a negative errno, 0 for an ack). False when the body is
    /// too short to hold it or holds a positive value, which no kernel sends.
    /// </summary>
    public static bool TryReadError(ReadOnlySpan<byte> body, out int errno)
    {
        if (body.Length < sizeof(int))
        {
            errno = 0;
            return false;
        }
        var value = MemoryMarshal.Read<int>(body);
        if (value > 0 || value == int.MinValue)
        {
            errno = 0;
            return false;
        }
        errno = -value;
        return true;
    }
}
