using System.Net;

namespace Appliance.Engine.Protocol;

/// <summary>A CARP advertisement that passed every ucarp check (docs/carp-protocol.md, 5.1 Receive checks).</summary>
public readonly record struct ReceivedAdvert(IPAddress Source, byte Vhid, byte AdvBase, byte AdvSkew, ulong Counter, byte Ttl)
{
    /// <summary>Byte 4, reserved in ucarp (always 0) and OpenBSD's demotion count (docs/carp-protocol.md, 2.3).</summary>
    public byte Demotion { get; init; }
}
