using System.Runtime.InteropServices;

namespace Appliance.Engine.Platform.Linux;

// Definitions Tmds.LibC 0.5.0 does not carry. Values from the Linux UAPI headers named beside each group.
// Struct and field names keep the C spelling so they can be checked against the headers.
#pragma warning disable IDE1006, CS8981 // C names on purpose, to match the headers

internal static class LinuxDefinitions
{
    // <linux/if_ether.h>
    public const ushort EthPIp = 0x0800;
    public const ushort EthPArp = 0x0806;

    // <linux/if.h>: IFNAMSIZ includes the terminating NUL.
    public const int IfNameSize = 16;
    public const uint IffUp = 0x1;
    public const uint IffRunning = 0x40;
    public const uint IffLowerUp = 0x10000;

    // <asm-generic/socket.h>
    public const int SoAttachFilter = 26;

    // <linux/filter.h> classic BPF opcodes
    public const ushort BpfLdHAbs = 0x28;
    public const ushort BpfLdBAbs = 0x30;
    public const ushort BpfJeqK = 0x15;
    public const ushort BpfRetK = 0x06;
}

/// <summary><c>struct ifreq</c> from &lt;linux/if.h&gt; (40 bytes on 64-bit), with the union members we use.</summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
internal unsafe struct ifreq
{
    [FieldOffset(0)] public fixed byte ifr_name[LinuxDefinitions.IfNameSize];
    [FieldOffset(16)] public int ifr_ifindex;
    [FieldOffset(16)] public short ifr_flags;
    /// <summary>ifr_hwaddr.sa_family</summary>
    [FieldOffset(16)] public ushort ifr_hwaddr_family;
    /// <summary>ifr_hwaddr.sa_data</summary>
    [FieldOffset(18)] public fixed byte ifr_hwaddr_data[14];
}

/// <summary><c>struct sock_filter</c> from &lt;linux/filter.h&gt;.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct sock_filter
{
    public ushort code;
    public byte jt;
    public byte jf;
    public uint k;
}

/// <summary><c>struct sock_fprog</c> from &lt;linux/filter.h&gt;.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct sock_fprog
{
    public ushort len;
    public sock_filter* filter;
}
