using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Tmds.Linux;

namespace Appliance.Engine.Platform.Linux;

/// <summary>An AF_PACKET SOCK_RAW socket: whole Ethernet frames out (GARP, --nomcast adverts) and, optionally, in.</summary>
internal sealed unsafe class PacketSocket : IDisposable
{
    private readonly SafeFd _fd;

    private PacketSocket(SafeFd fd)
    {
        _fd = fd;
    }

    public SafeFd Handle => _fd;

    /// <summary>A send-only socket: protocol 0 means the kernel delivers nothing to it.</summary>
    public static PacketSocket OpenSender() =>
        new(SafeFd.FromResult(LibC.socket(LibC.AF_PACKET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, 0), "socket(AF_PACKET)"));

    /// <summary>
    /// A socket that receives IPv4 protocol 112 frames arriving on one interface. Created with protocol 0, the
    /// filter attached, and only then bound to ETH_P_IP, so no unfiltered frame from any interface slips in.
    /// </summary>
    public static PacketSocket OpenCarpReceiver(int ifindex)
    {
        var socket = OpenSender();
        try
        {
            using var lease = socket._fd.Acquire();
            AttachCarpFilter(lease.Fd);
            var address = LinkAddress(ifindex, LinuxDefinitions.EthPIp, []);
            Errno.Check(LibC.bind(lease.Fd, (sockaddr*)&address, SizeOf.sockaddr_ll), "bind(AF_PACKET)");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return socket;
    }

    /// <summary>Sends one frame out of <paramref name="ifindex"/>; the frame carries its own Ethernet header.</summary>
    public void Send(int ifindex, ReadOnlySpan<byte> frame, string call)
    {
        var address = LinkAddress(ifindex, BinaryPrimitives.ReadUInt16BigEndian(frame[12..]), frame[..6]);
        using var lease = _fd.Acquire();
        fixed (byte* data = frame)
        {
            while (LibC.sendto(lease.Fd, data, frame.Length, 0, (sockaddr*)&address, SizeOf.sockaddr_ll) < 0)
            {
                if (Errno.Last != LibC.EINTR)
                {
                    throw Errno.Error(call);
                }
            }
        }
    }

    public void Dispose() => _fd.Dispose();

    private static sockaddr_ll LinkAddress(int ifindex, ushort etherType, ReadOnlySpan<byte> destination)
    {
        var address = new sockaddr_ll
        {
            sll_family = (ushort)(int)LibC.AF_PACKET,
            sll_protocol = BinaryPrimitives.ReverseEndianness(etherType), // network order; Linux targets here are little-endian
            sll_ifindex = ifindex,
            sll_halen = (byte)destination.Length,
        };
        destination.CopyTo(new Span<byte>(address.sll_addr, 8));
        return address;
    }

    /// <summary>Classic BPF: accept IPv4 frames whose protocol byte (offset 14 + 9) is 112, drop the rest.</summary>
    private static void AttachCarpFilter(int fd)
    {
        var program = stackalloc sock_filter[]
        {
            new() { code = LinuxDefinitions.BpfLdHAbs, k = 12 },
            new() { code = LinuxDefinitions.BpfJeqK, jt = 0, jf = 3, k = LinuxDefinitions.EthPIp },
            new() { code = LinuxDefinitions.BpfLdBAbs, k = 14 + 9 },
            new() { code = LinuxDefinitions.BpfJeqK, jt = 0, jf = 1, k = 112 },
            new() { code = LinuxDefinitions.BpfRetK, k = 0xffff },
            new() { code = LinuxDefinitions.BpfRetK, k = 0 },
        };
        var fprog = new sock_fprog { len = 6, filter = program };
        Errno.Check(
            LibC.setsockopt(fd, LibC.SOL_SOCKET, LinuxDefinitions.SoAttachFilter, &fprog, Unsafe.SizeOf<sock_fprog>()),
            "setsockopt(SO_ATTACH_FILTER)");
    }
}
