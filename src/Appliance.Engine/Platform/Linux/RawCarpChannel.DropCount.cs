using Tmds.Linux;

namespace Appliance.Engine.Platform.Linux;

/// <summary>
/// Kernel-side losses (docs/carp-protocol.md, 5.3 Drops under a flood): with SO_RXQ_OVFL set, every packet read
/// with recvmsg carries, in a control message, how many packets the socket has dropped so far because its receive
/// queue was full (the socket's sk_drops when the packet was queued; the message is left out while it is 0).
/// The newest value read is the channel's count, so a flood that overruns the queue is counted, not hidden.
/// </summary>
internal sealed unsafe partial class RawCarpChannel
{
    private const int DropCountControlLength = 32;

    private void EnableDropCount()
    {
        using var lease = _receiveFd.Acquire();
        var on = 1;
        Errno.Check(LibC.setsockopt(lease.Fd, LibC.SOL_SOCKET, LibC.SO_RXQ_OVFL, &on, sizeof(int)), "setsockopt(SO_RXQ_OVFL)");
    }

    /// <summary>recvmsg into <paramref name="buffer"/>; updates <see cref="KernelDrops"/> from the control message. Allocates nothing.</summary>
    private long ReceiveWithDropCount(int fd, byte* buffer, byte* control)
    {
        var vector = new iovec { iov_base = buffer, iov_len = ReceiveBufferSize };
        var message = new msghdr
        {
            msg_iov = &vector,
            msg_iovlen = 1,
            msg_control = control,
            msg_controllen = DropCountControlLength,
        };
        long received = LibC.recvmsg(fd, &message, LibC.MSG_DONTWAIT);
        if (received < 0)
        {
            return received;
        }
        for (var header = LibC.CMSG_FIRSTHDR(&message); header != null; header = LibC.CMSG_NXTHDR(&message, header))
        {
            if (header->cmsg_level == LibC.SOL_SOCKET && header->cmsg_type == LibC.SO_RXQ_OVFL)
            {
                uint dropped = *(uint*)LibC.CMSG_DATA(header);
                // A running 32-bit total per socket: keep the highest seen (queued packets may carry older values).
                if (dropped > (ulong)Interlocked.Read(ref _kernelDrops))
                {
                    Interlocked.Exchange(ref _kernelDrops, dropped);
                }
            }
        }
        return received;
    }
}
