using System.Net;

namespace Appliance.Engine.Protocol;

/// <summary>
/// What one VHID accepts: adverts not from <paramref name="OwnSource"/>, for <paramref name="Vhid"/>, signed for the
/// authenticator's key and VIP, and sent to <paramref name="Group"/>; with unicast <paramref name="Peers"/>, sent to
/// <paramref name="OwnSource"/> instead and only from one of the peers (docs/carp-protocol.md, 5.4 Unicast peers).
/// </summary>
public sealed record CarpReceiveFilter(IPAddress OwnSource, byte Vhid, IPAddress Group, CarpAuthenticator Authenticator, CarpPeers? Peers = null)
{
    /// <summary>True when the VHID runs with unicast peers rather than the multicast group.</summary>
    public bool IsUnicast => Peers is { IsUnicast: true };
}
