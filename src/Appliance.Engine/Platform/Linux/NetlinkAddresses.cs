using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;

namespace Appliance.Engine.Platform.Linux;

/// <summary>IPv4 addresses through rtnetlink: RTM_NEWADDR, RTM_DELADDR and the RTM_GETADDR dump.</summary>
internal static class NetlinkAddresses
{
    public static void Add(NetlinkSocket socket, int ifindex, IPAddress address, int prefixLength, string label)
    {
        Span<byte> local = stackalloc byte[4];
        Write(local, address);
        var message = new NetlinkMessage(Netlink.RtmNewAddr, Netlink.NlmFRequest | Netlink.NlmFAck | Netlink.NlmFCreate | Netlink.NlmFExcl)
            .Body(AddressHeader(ifindex, prefixLength))
            .Attribute(Netlink.IfaLocal, local)
            .Attribute(Netlink.IfaAddress, local);
        if (prefixLength < 31)
        {
            // /31 and /32 have no broadcast address (RFC 3021); below that, what `ip addr add ... brd +` sets.
            var hostMask = prefixLength == 0 ? uint.MaxValue : (1u << (32 - prefixLength)) - 1;
            Span<byte> broadcast = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(broadcast, BinaryPrimitives.ReadUInt32BigEndian(local) | hostMask);
            message.Attribute(Netlink.IfaBroadcast, broadcast);
        }
        message.Attribute(Netlink.IfaLabel, Encoding.ASCII.GetBytes(label + "\0"));
        var errno = socket.Execute(message, "RTM_NEWADDR");
        if (errno != 0 && errno != LibC.EEXIST)
        {
            throw Errno.Error("netlink(RTM_NEWADDR)", errno);
        }
    }

    public static void Remove(NetlinkSocket socket, int ifindex, IPAddress address, int prefixLength)
    {
        Span<byte> local = stackalloc byte[4];
        Write(local, address);
        var message = new NetlinkMessage(Netlink.RtmDelAddr, Netlink.NlmFRequest | Netlink.NlmFAck)
            .Body(AddressHeader(ifindex, prefixLength))
            .Attribute(Netlink.IfaLocal, local)
            .Attribute(Netlink.IfaAddress, local);
        var errno = socket.Execute(message, "RTM_DELADDR");
        if (errno != 0 && errno != LibC.EADDRNOTAVAIL)
        {
            throw Errno.Error("netlink(RTM_DELADDR)", errno);
        }
    }

    /// <summary>The interface's IPv4 addresses in kernel order (primary first).</summary>
    public static List<IPAddress> List(NetlinkSocket socket, int ifindex)
    {
        var addresses = new List<IPAddress>();
        var request = new NetlinkMessage(Netlink.RtmGetAddr, Netlink.NlmFRequest | Netlink.NlmFDump)
            .Body(new ifaddrmsg { ifa_family = (byte)(int)LibC.AF_INET });
        socket.Dump(request, "netlink(RTM_GETADDR)", (type, body) =>
        {
            if (TryParseAddress(type, body, ifindex, out var address))
            {
                addresses.Add(address);
            }
        });
        return addresses;
    }

    /// <summary>
    /// The IPv4 address of one RTM_NEWADDR message for <paramref name="ifindex"/>; false for any other message, a
    /// body too short for its ifaddrmsg, or an address attribute that is not 4 bytes long.
    /// </summary>
    public static bool TryParseAddress(ushort type, ReadOnlySpan<byte> body, int ifindex, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (type != Netlink.RtmNewAddr || body.Length < Unsafe.SizeOf<ifaddrmsg>())
        {
            return false;
        }
        var header = MemoryMarshal.Read<ifaddrmsg>(body);
        if (header.ifa_family != (int)LibC.AF_INET || header.ifa_index != (uint)ifindex)
        {
            return false;
        }
        var start = Netlink.Align(Unsafe.SizeOf<ifaddrmsg>());
        var attributes = start >= body.Length ? [] : body[start..];
        // IFA_LOCAL is the interface's own address; IFA_ADDRESS differs from it only on point-to-point links.
        if ((NetlinkAttributes.TryFind(attributes, Netlink.IfaLocal, out var value)
                || NetlinkAttributes.TryFind(attributes, Netlink.IfaAddress, out value))
            && value.Length == 4)
        {
            address = new IPAddress(value);
            return true;
        }
        return false;
    }

    /// <summary>
    /// The kernel wants a label that starts with the interface name and fits IFNAMSIZ-1 = 15 characters. Keeps
    /// a requested label that already qualifies; otherwise "&lt;if&gt;:" plus as much of the requested suffix as
    /// fits, or the bare interface name when not even one suffix character fits.
    /// </summary>
    public static string MakeLabel(string interfaceName, string requested)
    {
        const int MaxLength = LinuxDefinitions.IfNameSize - 1;
        if (requested.StartsWith(interfaceName, StringComparison.Ordinal) && requested.Length <= MaxLength)
        {
            return requested;
        }
        var colon = requested.IndexOf(':', StringComparison.Ordinal);
        var suffix = colon >= 0 ? requested[(colon + 1)..] : requested;
        var room = MaxLength - interfaceName.Length - 1;
        if (suffix.Length == 0 || room < 1)
        {
            return interfaceName;
        }
        return $"{interfaceName}:{suffix[..Math.Min(room, suffix.Length)]}";
    }

    private static ifaddrmsg AddressHeader(int ifindex, int prefixLength)
    {
        if (prefixLength is < 0 or > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(prefixLength), prefixLength, "an IPv4 prefix is 0..32");
        }
        return new ifaddrmsg
        {
            ifa_family = (byte)(int)LibC.AF_INET,
            ifa_prefixlen = (byte)prefixLength,
            ifa_scope = Netlink.RtScopeUniverse,
            ifa_index = (uint)ifindex,
        };
    }

    private static void Write(Span<byte> destination, IPAddress address)
    {
        if (!address.TryWriteBytes(destination, out var written) || written != 4)
        {
            throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));
        }
    }
}
