namespace Appliance.Engine.Transport;

/// <summary>Called on the receive thread with one whole IPv4 packet (header included).</summary>
public delegate void PacketHandler(ReadOnlySpan<byte> ipv4Packet);

/// <summary>
/// The CARP socket of one VHID: sends adverts to the group and delivers every IP protocol 112 packet
/// that arrives on the interface. Receiving runs on a receive thread (on Linux one for every channel of a
/// data plane) and hands each packet over the moment it arrives (no batching, no polling).
/// </summary>
public interface ICarpChannel : IDisposable
{
    /// <summary>Sends a 36-byte CARP payload from srcip to the group (or to each unicast peer) with TTL 255 and TOS 0x10.</summary>
    void Send(ReadOnlySpan<byte> carpPayload);

    /// <summary>Starts receiving. Call once.</summary>
    void Start(PacketHandler handler);

    /// <summary>
    /// Packets the kernel dropped because the socket's receive queue was full, as far as this channel has learnt
    /// (docs/carp-protocol.md, 5.3 Drops under a flood): they never reach <see cref="Start"/>'s handler.
    /// </summary>
    long KernelDrops { get; }
}

/// <summary>
/// Where a channel sends from and to: the group, or with unicast <paramref name="Peers"/> each peer instead
/// (docs/carp-protocol.md, 5.4 Unicast peers).
/// </summary>
public sealed record CarpChannelOptions(
    string Interface,
    System.Net.IPAddress Source,
    System.Net.IPAddress Group,
    bool NoMulticast,
    Protocol.CarpPeers? Peers = null)
{
    /// <summary>True when adverts go to the peers rather than the group.</summary>
    public bool IsUnicast => Peers is { IsUnicast: true };
}
