using System.Net;

namespace Appliance.Engine.Protocol;

/// <summary>What one VHID accepts: adverts not from <paramref name="OwnSource"/>, for <paramref name="Vhid"/>, sent to <paramref name="Group"/>, signed for the authenticator's key and VIP.</summary>
public sealed record CarpReceiveFilter(IPAddress OwnSource, byte Vhid, IPAddress Group, CarpAuthenticator Authenticator);
