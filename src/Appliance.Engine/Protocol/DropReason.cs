namespace Appliance.Engine.Protocol;

/// <summary>
/// Why a received packet was not acted on, in ucarp's order of checks (docs/carp-protocol.md, 5.1 Receive checks).
/// Counted per VHID and shown in the API and metrics.
/// </summary>
public enum DropReason
{
    /// <summary>Shorter than IPv4 + 36 bytes of CARP, or an IPv4 header that is not 20+ bytes / not v4.</summary>
    Truncated,
    /// <summary>Our own advert (source address is our srcip).</summary>
    OwnPacket,
    /// <summary>Not IP protocol 112.</summary>
    NotCarp,
    /// <summary>TTL other than 255 ("Bad TTL: [n]"); checked in multicast mode only (docs/carp-protocol.md, 5.4 Unicast peers).</summary>
    BadTtl,
    /// <summary>CARP version other than 2 ("Bad version: [n]"), e.g. VRRPv3.</summary>
    BadVersion,
    /// <summary>Another VHID ("Ignoring vhid: [n]"; debug only).</summary>
    WrongVhid,
    /// <summary>IP destination is not the multicast group ("Ignoring different multicast ip"); with unicast peers, not our own address.</summary>
    WrongDestination,
    /// <summary>
    /// With unicast peers, the source is not one of them (docs/carp-protocol.md, 5.4 Unicast peers; keepalived's
    /// check_unicast_src); not in ucarp, which has no unicast mode.
    /// </summary>
    NotPeer,
    /// <summary>IP header or CARP checksum wrong ("Bad IP checksum").</summary>
    BadChecksum,
    /// <summary>HMAC mismatch ("Bad digest").</summary>
    BadDigest,
    /// <summary>A valid advert whose counter this VHID has seen or that is not newer than its newest (docs/replay.md); not in ucarp.</summary>
    Replay,
    /// <summary>
    /// Dropped by the kernel before we could read it: the socket's receive queue was full (SO_RXQ_OVFL;
    /// docs/carp-protocol.md, 5.3 Drops under a flood). Counted, never logged per packet; not in ucarp.
    /// </summary>
    QueueOverflow,
}

public static class DropReasonNames
{
    /// <summary>The reason's name in the API, metrics and the SIGUSR1 counters line: camelCase ("badDigest", "queueOverflow").</summary>
    public static string ToWire(this DropReason reason)
    {
        var name = reason.ToString();
        return string.Concat(char.ToLowerInvariant(name[0]).ToString(), name.AsSpan(1));
    }
}
