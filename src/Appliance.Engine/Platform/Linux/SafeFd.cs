using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Appliance.Engine.Platform.Linux;

/// <summary>
/// Owns one file descriptor. .NET's Socket refuses SOCK_RAW protocol 112 and AF_NETLINK raw use, so every
/// descriptor here comes straight from libc and is closed through this handle.
/// </summary>
internal sealed class SafeFd : SafeHandle
{
    private SafeFd(int fd)
        : base(new IntPtr(-1), ownsHandle: true)
    {
        SetHandle(new IntPtr(fd));
    }

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>Wraps the result of a descriptor-creating call, throwing when it failed.</summary>
    public static SafeFd FromResult(int fd, string call) => new(Errno.Check(fd, call));

    /// <summary>Keeps the descriptor open for the lifetime of the lease (no close while a call is in flight).</summary>
    public Lease Acquire()
    {
        var added = false;
        DangerousAddRef(ref added);
        return new Lease(this, (int)handle.ToInt64());
    }

    protected override bool ReleaseHandle() => LibC.close((int)handle.ToInt64()) == 0;

    internal readonly struct Lease(SafeFd owner, int fd) : IDisposable
    {
        public int Fd { get; } = fd;

        public void Dispose() => owner.DangerousRelease();
    }
}
