using System.Text;
using Tmds.Linux;

namespace Appliance.Engine.Platform.Linux;

/// <summary>
/// SIOCGIF* ioctls on one AF_INET datagram socket, created once so every later call works in the network
/// namespace the data plane was created in, whichever thread makes it.
/// </summary>
internal sealed unsafe class InterfaceControl : IDisposable
{
    private readonly SafeFd _fd;

    public InterfaceControl()
    {
        _fd = SafeFd.FromResult(LibC.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0), "socket(AF_INET, SOCK_DGRAM)");
    }

    /// <summary>if_nametoindex(3) through SIOCGIFINDEX; null when the interface does not exist.</summary>
    public int? GetIndex(string name)
    {
        var request = Request(name);
        if (!TryIoctl(LibC.SIOCGIFINDEX, ref request, out var errno))
        {
            return errno == LibC.ENODEV || errno == LibC.ENXIO ? null : throw Errno.Error("ioctl(SIOCGIFINDEX)", errno);
        }
        return request.ifr_ifindex;
    }

    /// <summary>The interface index, or PlatformException(ENODEV) naming <paramref name="call"/>.</summary>
    public int RequireIndex(string name, string call) =>
        GetIndex(name) ?? throw Errno.Error(call, LibC.ENODEV);

    /// <summary>SIOCGIFFLAGS; null when the interface does not exist.</summary>
    public uint? GetFlags(string name)
    {
        var request = Request(name);
        if (!TryIoctl(LibC.SIOCGIFFLAGS, ref request, out var errno))
        {
            return errno == LibC.ENODEV ? null : throw Errno.Error("ioctl(SIOCGIFFLAGS)", errno);
        }
        return (ushort)request.ifr_flags;
    }

    /// <summary>SIOCGIFHWADDR: the interface's 6-byte MAC.</summary>
    public byte[] GetHardwareAddress(string name)
    {
        var request = Request(name);
        if (!TryIoctl(LibC.SIOCGIFHWADDR, ref request, out var errno))
        {
            throw Errno.Error("ioctl(SIOCGIFHWADDR)", errno);
        }
        return new ReadOnlySpan<byte>(request.ifr_hwaddr_data, 6).ToArray();
    }

    public void Dispose() => _fd.Dispose();

    private static ifreq Request(string name)
    {
        var request = default(ifreq);
        var bytes = Encoding.ASCII.GetBytes(name);
        // Longer than IFNAMSIZ-1 cannot name an interface; an empty name field makes the kernel answer ENODEV.
        if (bytes.Length < LinuxDefinitions.IfNameSize && Array.IndexOf(bytes, (byte)0) < 0)
        {
            bytes.CopyTo(new Span<byte>(request.ifr_name, LinuxDefinitions.IfNameSize));
        }
        return request;
    }

    private bool TryIoctl(int command, ref ifreq request, out int errno)
    {
        using var lease = _fd.Acquire();
        fixed (ifreq* pointer = &request)
        {
            if (LibC.ioctl(lease.Fd, command, pointer) < 0)
            {
                errno = Errno.Last;
                return false;
            }
        }
        errno = 0;
        return true;
    }
}
