using System.Net;

namespace Appliance.Engine.Protocol;

/// <summary>A CARP advertisement that passed every ucarp check (docs/carp-protocol.md, 5.1 Receive checks).</summary>
public readonly record struct ReceivedAdvert(IPAddress Source, byte Vhid, byte AdvBase, byte AdvSkew, ulong Counter, byte Ttl);
