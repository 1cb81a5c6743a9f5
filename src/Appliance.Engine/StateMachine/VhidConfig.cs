using System.Net;
using Appliance.Engine.Diagnostics;

namespace Appliance.Engine.StateMachine;

/// <summary>
/// One virtual host: everything ucarp takes on its command line, as an immutable snapshot.
/// The engine compares old and new snapshots by value and restarts only VHIDs that changed.
/// </summary>
public sealed record VhidConfig
{
    public required string Interface { get; init; }
    /// <summary>Own real address (ucarp --srcip); null means the interface's first IPv4 address.</summary>
    public IPAddress? SourceAddress { get; init; }
    public required byte Vhid { get; init; }
    /// <summary>CARP password, the raw HMAC key (1..19 bytes, as ucarp).</summary>
    public required string Password { get; init; }
    public required IPAddress VirtualAddress { get; init; }
    public int PrefixLength { get; init; } = 32;
    public byte AdvBase { get; init; } = 1;
    public byte AdvSkew { get; init; }
    public uint DeadRatio { get; init; } = 3;
    public bool Preempt { get; init; }
    public bool Neutral { get; init; }
    public bool NoMulticast { get; init; }
    public IPAddress MulticastGroup { get; init; } = CarpDefaults.MulticastGroup;
    /// <summary>Unicast peers (--peer): adverts go to each instead of the group, and only theirs count (docs/carp-protocol.md, 5.4). None: multicast.</summary>
    public Protocol.CarpPeers Peers { get; init; } = Protocol.CarpPeers.None;
    public bool IgnoreInterfaceState { get; init; }
    public string? UpScript { get; init; }
    public string? DownScript { get; init; }
    public string? ExtraParameter { get; init; }
    /// <summary>
    /// True for scripts named over HTTP (serve): right before each run the script must still pass the scripts
    /// directory's rules (<see cref="Scripts.ScriptDirectory.CheckPath"/>), else it is not run. False for
    /// <c>appliance carp</c>, which runs ucarp's free paths with the admin's own rights.
    /// </summary>
    public bool CheckScriptsBeforeRun { get; init; }
    /// <summary>When true the engine adds/removes the VIP itself (netlink) and sends the gratuitous ARP.</summary>
    public bool ManageVip { get; init; }
    /// <summary>Replay protection (docs/replay.md): strict, or relaxed to accept a detected constant cookie.</summary>
    public ReplayCheck ReplayCheck { get; init; }
    /// <summary>Flap damping (docs/carp-protocol.md, 6.13): on with its defaults unless set.</summary>
    public FlapDampingConfig FlapDamping { get; init; } = FlapDampingConfig.Default;
    /// <summary>The text of --addr as the admin typed it; scripts receive it verbatim, as with ucarp.</summary>
    public string? VirtualAddressText { get; init; }

    public string Key => $"{Interface}/{Vhid}";

    /// <summary>The CARP password shows as ***.</summary>
    public override string ToString() => Redaction.Print(this);
}

public static class CarpDefaults
{
    public static readonly IPAddress MulticastGroup = IPAddress.Parse("224.0.0.18");
    /// <summary>ucarp's limit (docs/carp-protocol.md, 3.1 Key); the authenticator enforces it.</summary>
    public const int MaxPasswordBytes = Protocol.CarpAuthenticator.MaxPasswordBytes;
}
