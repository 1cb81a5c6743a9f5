using Appliance.Engine.Hosting;
using Appliance.Engine.Protocol;
using Appliance.Engine.StateMachine;

namespace Appliance.Web.Services;

/// <summary>
/// The English of a VHID's status (the API's <c>demotion</c> and <c>message</c>, the board card's line), made from the
/// engine's data: state, maintenance and the demotion reasons. The engine itself says nothing in words.
/// </summary>
public static class StatusText
{
    /// <summary>The demotion reasons besides maintenance, joined; null when there are none.</summary>
    public static string? Demotion(VhidStatus status) =>
        status.Demotions.Count > 0 ? string.Join("; ", status.Demotions) : null;

    /// <summary>What maintenance and demotion mean for this VHID right now; null when neither applies.</summary>
    public static string? Message(VhidStatus status)
    {
        var demoted = status.Demotions.Count > 0;
        if (status.State == CarpState.Master && (status.Maintenance || demoted))
        {
            return status.Maintenance && !demoted
                ? "maintenance: waiting for a peer to take over"
                : $"demoted ({string.Join("; ", Causes(status))}): waiting for a peer to take over";
        }
        if (demoted)
        {
            return $"demoted: {Demotion(status)}";
        }
        return status.Maintenance ? "maintenance: the VIP stays with the peer until released" : null;
    }

    /// <summary>
    /// What unicast peers mean for the cluster (docs/carp-protocol.md, 5.4 Unicast peers): ucarp drops every advert not
    /// sent to 224.0.0.18, so a ucarp node neither hears this VHID nor is heard by it.
    /// </summary>
    public static string UnicastNote(CarpPeers peers) =>
        $"Unicast: adverts go only to {peers} and only theirs are accepted. A ucarp peer cannot take part: ucarp accepts only adverts sent to {CarpDefaults.MulticastGroup}.";

    private static IEnumerable<string> Causes(VhidStatus status) =>
        (status.Maintenance ? ["maintenance"] : Array.Empty<string>()).Concat(status.Demotions);
}
