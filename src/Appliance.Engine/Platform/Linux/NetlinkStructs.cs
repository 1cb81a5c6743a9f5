using System.Runtime.InteropServices;

namespace Appliance.Engine.Platform.Linux;

// rtnetlink structures and constants, which Tmds.LibC 0.5.0 lacks. Layouts and values from
// <linux/netlink.h>, <linux/rtnetlink.h>, <linux/if_addr.h> and <linux/if_link.h>; all host byte order.
#pragma warning disable IDE1006, CS8981 // C names on purpose, to match the headers

internal static class Netlink
{
    // <linux/netlink.h>
    public const int NetlinkRoute = 0;
    public const int AlignTo = 4;
    public const ushort NlmsgNoop = 1;
    public const ushort NlmsgError = 2;
    public const ushort NlmsgDone = 3;
    public const ushort NlmsgOverrun = 4;
    public const ushort NlmFRequest = 0x1;
    public const ushort NlmFMulti = 0x2;
    public const ushort NlmFAck = 0x4;
    public const ushort NlmFDump = 0x300; // NLM_F_ROOT | NLM_F_MATCH
    public const ushort NlmFExcl = 0x200;
    public const ushort NlmFCreate = 0x400;

    // <linux/rtnetlink.h>
    public const ushort RtmNewLink = 16;
    public const ushort RtmDelLink = 17;
    public const ushort RtmGetLink = 18;
    public const ushort RtmNewAddr = 20;
    public const ushort RtmDelAddr = 21;
    public const ushort RtmGetAddr = 22;
    public const uint RtmgrpLink = 0x1;
    public const byte RtScopeUniverse = 0;

    // <linux/if_addr.h>
    public const ushort IfaAddress = 1;
    public const ushort IfaLocal = 2;
    public const ushort IfaLabel = 3;
    public const ushort IfaBroadcast = 4;

    // <linux/if_link.h>
    public const ushort IflaAddress = 1;
    public const ushort IflaIfname = 3;

    public static int Align(int length) => (length + AlignTo - 1) & ~(AlignTo - 1);
}

/// <summary><c>struct sockaddr_nl</c></summary>
[StructLayout(LayoutKind.Sequential)]
internal struct sockaddr_nl
{
    public ushort nl_family;
    public ushort nl_pad;
    public uint nl_pid;
    public uint nl_groups;
}

/// <summary><c>struct nlmsghdr</c> (16 bytes)</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct nlmsghdr
{
    public uint nlmsg_len;
    public ushort nlmsg_type;
    public ushort nlmsg_flags;
    public uint nlmsg_seq;
    public uint nlmsg_pid;
}

/// <summary><c>struct nlmsgerr</c>: error is a negative errno, 0 for an ack.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct nlmsgerr
{
    public int error;
    public nlmsghdr msg;
}

/// <summary><c>struct ifaddrmsg</c> (8 bytes)</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ifaddrmsg
{
    public byte ifa_family;
    public byte ifa_prefixlen;
    public byte ifa_flags;
    public byte ifa_scope;
    public uint ifa_index;
}

/// <summary><c>struct ifinfomsg</c> (16 bytes)</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ifinfomsg
{
    public byte ifi_family;
    public byte __ifi_pad;
    public ushort ifi_type;
    public int ifi_index;
    public uint ifi_flags;
    public uint ifi_change;
}

/// <summary><c>struct rtattr</c> (4 bytes)</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct rtattr
{
    public ushort rta_len;
    public ushort rta_type;
}
