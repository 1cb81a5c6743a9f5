using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Appliance.Engine.Transport;
using Tmds.Linux;

namespace Appliance.Engine.Platform.Linux;

/// <summary>Called for each message of a netlink reply or notification, with the bytes after the 16-byte header.</summary>
internal delegate void NetlinkMessageHandler(ushort type, ReadOnlySpan<byte> body);

/// <summary>
/// A NETLINK_ROUTE socket. Requests are serialised by a lock so one socket can serve every thread; replies
/// are matched by sequence number so leftovers of an earlier aborted exchange are skipped, not misread.
/// </summary>
internal sealed unsafe class NetlinkSocket : IDisposable
{
    private readonly SafeFd _fd;
    private readonly byte[] _receiveBuffer = new byte[64 * 1024];
    private readonly Lock _lock = new();
    private uint _sequence = (uint)Environment.TickCount;

    private NetlinkSocket(SafeFd fd)
    {
        _fd = fd;
    }

    public SafeFd Handle => _fd;

    /// <summary>
    /// How long <see cref="Execute"/> and <see cref="Dump"/> wait for the whole reply. A request the kernel never
    /// answers fails with ETIMEDOUT instead of holding the socket's lock (and a VHID's) for ever.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Opens a route socket in the calling thread's network namespace, subscribed to <paramref name="groups"/>.</summary>
    public static NetlinkSocket Open(uint groups)
    {
        var fd = SafeFd.FromResult(
            LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, Netlink.NetlinkRoute),
            "socket(AF_NETLINK)");
        try
        {
            var address = new sockaddr_nl { nl_family = (ushort)(int)LibC.AF_NETLINK, nl_groups = groups };
            using var lease = fd.Acquire();
            Errno.Check(LibC.bind(lease.Fd, (sockaddr*)&address, Unsafe.SizeOf<sockaddr_nl>()), "bind(AF_NETLINK)");
        }
        catch
        {
            fd.Dispose();
            throw;
        }
        return new NetlinkSocket(fd);
    }

    /// <summary>Sends a request with NLM_F_ACK and returns the errno from the kernel's nlmsgerr (0 = success).</summary>
    public int Execute(NetlinkMessage request, string call)
    {
        lock (_lock)
        {
            var sequence = Send(request, call);
            var deadline = Deadline();
            var result = (int?)null;
            while (result is null)
            {
                var length = Receive(call, deadline);
                NetlinkReply.ForEach(_receiveBuffer.AsSpan(0, length), (header, body) =>
                {
                    if (header.nlmsg_seq == sequence && header.nlmsg_type == Netlink.NlmsgError)
                    {
                        result = NetlinkReply.TryReadError(body, out var errno) ? errno : LibC.EPROTO;
                    }
                });
            }
            return result.Value;
        }
    }

    /// <summary>Sends a dump request and hands every reply message to <paramref name="handler"/> until NLMSG_DONE.</summary>
    public void Dump(NetlinkMessage request, string call, NetlinkMessageHandler handler)
    {
        lock (_lock)
        {
            var sequence = Send(request, call);
            var deadline = Deadline();
            var done = false;
            var error = 0;
            while (!done)
            {
                var length = Receive(call, deadline);
                NetlinkReply.ForEach(_receiveBuffer.AsSpan(0, length), (header, body) =>
                {
                    if (header.nlmsg_seq == sequence && header.nlmsg_type == Netlink.NlmsgDone)
                    {
                        done = true;
                    }
                    else if (header.nlmsg_seq == sequence && header.nlmsg_type == Netlink.NlmsgError)
                    {
                        error = NetlinkReply.TryReadError(body, out var errno) ? errno : LibC.EPROTO;
                        done = true;
                    }
                    else if (header.nlmsg_type >= 16)
                    {
                        // Notifications (seq 0) that arrive during a dump are passed on too: a watcher wants them.
                        handler(header.nlmsg_type, body);
                    }
                });
            }
            if (error != 0)
            {
                throw Errno.Error(call, error);
            }
        }
    }

    /// <summary>Sends a request without waiting for a reply (the watcher reads replies on its own thread).</summary>
    public void Post(NetlinkMessage request, string call)
    {
        lock (_lock)
        {
            Send(request, call);
        }
    }

    /// <summary>
    /// Reads one queued datagram without blocking. False with errno 0 when nothing is queued; false with the errno
    /// when recv failed (ENOBUFS means notifications were lost).
    /// </summary>
    public bool TryReceive(NetlinkMessageHandler handler, out int errno)
    {
        using var lease = _fd.Acquire();
        long received;
        fixed (byte* buffer = _receiveBuffer)
        {
            received = LibC.recv(lease.Fd, buffer, _receiveBuffer.Length, LibC.MSG_DONTWAIT);
        }
        if (received < 0)
        {
            errno = Errno.Last;
            if (errno == LibC.EAGAIN || errno == LibC.EINTR)
            {
                errno = 0;
            }
            return false;
        }
        errno = 0;
        NetlinkReply.ForEach(_receiveBuffer.AsSpan(0, (int)received), (header, body) => handler(header.nlmsg_type, body));
        return true;
    }

    public void Dispose() => _fd.Dispose();

    private long Deadline() => Environment.TickCount64 + (long)RequestTimeout.TotalMilliseconds;

    private uint Send(NetlinkMessage request, string call)
    {
        var sequence = ++_sequence;
        var bytes = request.Finish(sequence);
        var kernel = new sockaddr_nl { nl_family = (ushort)(int)LibC.AF_NETLINK };
        using var lease = _fd.Acquire();
        fixed (byte* data = bytes)
        {
            while (true)
            {
                var sent = (long)LibC.sendto(lease.Fd, data, bytes.Length, 0, (sockaddr*)&kernel, Unsafe.SizeOf<sockaddr_nl>());
                if (sent >= 0)
                {
                    return sequence;
                }
                if (Errno.Last != LibC.EINTR)
                {
                    throw Errno.Error($"sendto({call})");
                }
            }
        }
    }

    /// <summary>
    /// Waits for the next datagram of a request's reply until <paramref name="deadline"/> (Environment.TickCount64)
    /// and returns its length; a kernel that never answers is an ETIMEDOUT <see cref="PlatformException"/>.
    /// </summary>
    private int Receive(string call, long deadline)
    {
        using var lease = _fd.Acquire();
        fixed (byte* buffer = _receiveBuffer)
        {
            while (true)
            {
                var remaining = deadline - Environment.TickCount64;
                if (remaining <= 0)
                {
                    throw new PlatformException(call, LibC.ETIMEDOUT,
                        $"no reply from the kernel within {RequestTimeout.TotalSeconds:0.###} s");
                }
                var poll = new pollfd { fd = lease.Fd, events = LibC.POLLIN };
                var ready = LibC.poll(&poll, 1, (int)Math.Min(remaining, int.MaxValue));
                if (ready < 0 && Errno.Last != LibC.EINTR)
                {
                    throw Errno.Error($"poll({call})");
                }
                if (ready <= 0)
                {
                    continue;
                }
                var received = (long)LibC.recv(lease.Fd, buffer, _receiveBuffer.Length, LibC.MSG_DONTWAIT);
                if (received >= 0)
                {
                    return (int)received;
                }
                var errno = Errno.Last;
                if (errno != LibC.EINTR && errno != LibC.EAGAIN)
                {
                    throw Errno.Error($"recv({call})", errno);
                }
            }
        }
    }
}
