using System.Net;
using System.Text;
using Appliance.Engine.Protocol;
using Appliance.Engine.Transport;
using Tmds.Linux;

namespace Appliance.Engine.Platform.Linux;

internal sealed unsafe partial class RawCarpChannel
{
    /// <summary>
    /// socket(AF_INET, SOCK_RAW, 112) tied to the interface. Deliberately not bound to the source address: a raw
    /// socket bound to a unicast address only receives packets whose IP destination is that address
    /// (net/ipv4/raw.c raw_v4_match compares inet_rcv_saddr with the destination), which would hide every
    /// advert sent to 224.0.0.18. The source address reaches the kernel through IP_MULTICAST_IF instead.
    /// </summary>
    private static SafeFd OpenMulticastSocket(CarpChannelOptions options, int ifindex) => OpenRawSocket(options, s =>
    {
        SetInt(s, LibC.IP_MULTICAST_TTL, Ipv4Header.CarpTtl, "setsockopt(IP_MULTICAST_TTL)");
        SetInt(s, LibC.IP_MULTICAST_LOOP, 0, "setsockopt(IP_MULTICAST_LOOP)");
        var request = MembershipRequest(options.Group, options.Source, ifindex);
        Errno.Check(LibC.setsockopt(s, LibC.SOL_IP, LibC.IP_MULTICAST_IF, &request, SizeOf.ip_mreqn), "setsockopt(IP_MULTICAST_IF)");
        Errno.Check(LibC.setsockopt(s, LibC.SOL_IP, LibC.IP_ADD_MEMBERSHIP, &request, SizeOf.ip_mreqn), "setsockopt(IP_ADD_MEMBERSHIP)");
    });

    /// <summary>
    /// socket(AF_INET, SOCK_RAW, 112) tied to the interface (SO_BINDTODEVICE), TTL 255 and TOS 0x10 (docs/carp-protocol.md,
    /// 2.2), then what the mode needs (<paramref name="configure"/> gets the descriptor); closed again if anything fails.
    /// </summary>
    private static SafeFd OpenRawSocket(CarpChannelOptions options, Action<int> configure)
    {
        var fd = SafeFd.FromResult(LibC.socket(LibC.AF_INET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, Ipv4Header.CarpProtocol), "socket(AF_INET, SOCK_RAW, 112)");
        try
        {
            using var lease = fd.Acquire();
            var s = lease.Fd;
            var device = Encoding.ASCII.GetBytes(options.Interface + "\0");
            fixed (byte* name = device)
            {
                Errno.Check(LibC.setsockopt(s, LibC.SOL_SOCKET, LibC.SO_BINDTODEVICE, name, device.Length), "setsockopt(SO_BINDTODEVICE)");
            }
            SetInt(s, LibC.IP_TTL, Ipv4Header.CarpTtl, "setsockopt(IP_TTL)");
            SetInt(s, LibC.IP_TOS, Ipv4Header.CarpTos, "setsockopt(IP_TOS)");
            configure(s);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
        return fd;
    }

    private void SendToGroup(ReadOnlySpan<byte> payload)
    {
        var destination = new sockaddr_in { sin_family = LibC.AF_INET };
        WriteAddress(&destination.sin_addr, _options.Group);
        using var lease = _receiveFd.Acquire();
        fixed (byte* data = payload)
        {
            while (LibC.sendto(lease.Fd, data, payload.Length, 0, (sockaddr*)&destination, SizeOf.sockaddr_in) < 0)
            {
                if (Errno.Last != LibC.EINTR)
                {
                    throw Errno.Error("sendto");
                }
            }
        }
    }

    private static ip_mreqn MembershipRequest(IPAddress group, IPAddress source, int ifindex)
    {
        var request = new ip_mreqn { imr_ifindex = ifindex };
        WriteAddress(&request.imr_multiaddr, group);
        WriteAddress(&request.imr_address, source);
        return request;
    }

    private static void WriteAddress(in_addr* destination, IPAddress address)
    {
        address.TryWriteBytes(new Span<byte>(destination->s_addr, 4), out _);
    }

    private static void SetInt(int fd, int option, int value, string call)
    {
        Errno.Check(LibC.setsockopt(fd, LibC.SOL_IP, option, &value, sizeof(int)), call);
    }
}
