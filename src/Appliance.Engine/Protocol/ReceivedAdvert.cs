using System.Net;

namespace Appliance.Engine.Protocol;

/// <summary>A CARP advertisement that passed every ucarp check (carp-wire-spec 3.5).</summary>
public readonly record struct ReceivedAdvert(IPAddress Source, byte Vhid, byte AdvBase, byte AdvSkew, ulong Counter, byte Ttl);
