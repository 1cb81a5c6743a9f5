using System.Net;
using Appliance.Engine.Protocol;
using Appliance.Engine.Transport;
using Tmds.Linux;

namespace Appliance.Engine.Platform.Linux;

/// <summary>
/// The CARP socket of one VHID. Multicast mode: a raw IPv4 socket for protocol 112 (the kernel writes the IP
/// header). Unicast peers: the same kind of socket, bound to srcip, sending to each peer (docs/carp-protocol.md,
/// 5.4 Unicast peers). --nomcast mode: an AF_PACKET socket carrying whole frames both ways, because the IP stack drops a
/// multicast destination whose group was never joined, even when it arrives as an L2 broadcast, and ucarp's
/// --nomcast sends no IGMP join (docs/carp-protocol.md, 2.1 Frame).
/// </summary>
internal sealed unsafe partial class RawCarpChannel : ICarpChannel
{
    private const int ReceiveBufferSize = 4096;
    /// <summary>Packets read per wake-up before poll looks at the stop eventfd again.</summary>
    private const int MaxPacketsPerWake = 64;

    private readonly CarpChannelOptions _options;
    private readonly int _ifindex;
    private readonly SafeFd _receiveFd;
    private readonly int _linkHeaderLength;
    private readonly PacketSocket? _packetSocket;
    private readonly byte[] _mac;
    private readonly PollLoop _pollLoop;
    private PacketHandler? _handler;
    private long _kernelDrops;
    private IDisposable? _registration;
    private int _disposed;

    private RawCarpChannel(CarpChannelOptions options, int ifindex, SafeFd receiveFd, int linkHeaderLength, PacketSocket? packetSocket, byte[] mac, PollLoop pollLoop)
    {
        _options = options;
        _ifindex = ifindex;
        _receiveFd = receiveFd;
        _linkHeaderLength = linkHeaderLength;
        _packetSocket = packetSocket;
        _mac = mac;
        _pollLoop = pollLoop;
    }

    /// <summary>Opens the socket in the calling thread's namespace; received packets are read on <paramref name="pollLoop"/>'s thread.</summary>
    public static RawCarpChannel Open(CarpChannelOptions options, InterfaceControl interfaces, PollLoop pollLoop)
    {
        RequireIPv4(options.Source, nameof(options.Source));
        RequireIPv4(options.Group, nameof(options.Group));
        var ifindex = interfaces.RequireIndex(options.Interface, "if_nametoindex");
        if (options.IsUnicast)
        {
            if (options.NoMulticast)
            {
                throw new ArgumentException("unicast peers and --nomcast exclude each other", nameof(options));
            }
            foreach (var peer in options.Peers!)
            {
                RequireIPv4(peer, nameof(options.Peers));
            }
            var unicastFd = OpenUnicastSocket(options);
            try
            {
                return new RawCarpChannel(options, ifindex, unicastFd, 0, null, [], pollLoop);
            }
            catch
            {
                unicastFd.Dispose();
                throw;
            }
        }
        if (options.NoMulticast)
        {
            var mac = interfaces.GetHardwareAddress(options.Interface);
            var packetSocket = PacketSocket.OpenCarpReceiver(ifindex);
            try
            {
                return new RawCarpChannel(options, ifindex, packetSocket.Handle, CarpCodec.EthernetHeaderLength, packetSocket, mac, pollLoop);
            }
            catch
            {
                packetSocket.Dispose();
                throw;
            }
        }
        var fd = OpenMulticastSocket(options, ifindex);
        try
        {
            return new RawCarpChannel(options, ifindex, fd, 0, null, [], pollLoop);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    public void Send(ReadOnlySpan<byte> carpPayload)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_packetSocket is not null)
        {
            Span<byte> frame = stackalloc byte[CarpCodec.FrameLength];
            // ucarp: a random 16-bit IP id per packet (docs/carp-protocol.md, 2.2).
            var id = (ushort)Random.Shared.Next(0, 0x10000);
            CarpCodec.WriteFrame(frame, _mac, _options.Source, _options.Group, id, broadcast: true, carpPayload);
            _packetSocket.Send(_ifindex, frame, "sendto(AF_PACKET)");
            return;
        }
        if (_options.Peers is { IsUnicast: true } peers)
        {
            SendToPeers(carpPayload, peers);
            return;
        }
        SendToGroup(carpPayload);
    }

    public void Start(PacketHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.CompareExchange(ref _handler, handler, null) is not null)
        {
            throw new InvalidOperationException("The channel is already started.");
        }
        EnableDropCount();
        _registration = _pollLoop.Register(_receiveFd, DrainReceiveQueue);
    }

    public long KernelDrops => Interlocked.Read(ref _kernelDrops);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _registration?.Dispose();
        _receiveFd.Dispose();
    }

    /// <summary>
    /// One buffer per receive thread, not per channel: every channel of a data plane is read on its one
    /// <see cref="PollLoop"/> thread, and 255 VHIDs would otherwise keep 1 MiB of buffers resident.
    /// </summary>
    [ThreadStatic]
    private static byte[]? _threadReceiveBuffer;

    private void DrainReceiveQueue()
    {
        var handler = _handler!;
        var receiveBuffer = _threadReceiveBuffer ??= new byte[ReceiveBufferSize];
        using var lease = _receiveFd.Acquire();
        // Room for one SO_RXQ_OVFL message (a cmsghdr and a 32-bit count, aligned); nothing else is enabled.
        var control = stackalloc byte[DropCountControlLength];
        for (var i = 0; i < MaxPacketsPerWake; i++)
        {
            long received;
            fixed (byte* buffer = receiveBuffer)
            {
                received = ReceiveWithDropCount(lease.Fd, buffer, control);
            }
            if (received < 0)
            {
                // EAGAIN: queue drained. Anything else (e.g. ENETDOWN while the link bounces) was consumed by
                // this recv; poll reports the next packet.
                return;
            }
            if (received > _linkHeaderLength)
            {
                handler(receiveBuffer.AsSpan(_linkHeaderLength, (int)received - _linkHeaderLength));
            }
        }
    }

    private static void RequireIPv4(IPAddress address, string name)
    {
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{address} is not an IPv4 address", name);
        }
    }
}
