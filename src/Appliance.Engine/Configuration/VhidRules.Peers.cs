using System.Net;
using System.Net.Sockets;
using Appliance.Engine.Protocol;

namespace Appliance.Engine.Configuration;

/// <summary>The rules of unicast peers (docs/carp-protocol.md, 5.4 Unicast peers).</summary>
public static partial class VhidRules
{
    /// <summary>A bound on the sendto calls of one advert; keepalived and FreeBSD clusters name one or a few.</summary>
    public const int MaxPeers = 16;

    /// <summary>The one wording of the IPv6 refusal, until IPv6 VIPs exist.</summary>
    public const string IPv6PeersNotSupported = "IPv6 peers need an IPv6 VIP (not supported yet)";

    /// <summary>The peers, or <see cref="CarpPeers.None"/> when none are given; adds an error for every bad one.</summary>
    private static CarpPeers PeersOf(List<VhidRuleError> found, VhidSettings settings, IPAddress? vip, IPAddress? src)
    {
        if (settings.Peers is not { Count: > 0 } given)
        {
            return CarpPeers.None;
        }
        var before = found.Count;
        if (given.Count > MaxPeers)
        {
            found.Add(new(VhidField.Peers, $"must name at most {MaxPeers} addresses (got {given.Count})"));
            return CarpPeers.None;
        }
        // ucarp drops every advert that is not sent to the group (docs/carp-protocol.md, 5.4): a VHID with peers
        // has no ucarp side, so ucarp's ways of changing the group's address are contradictions, not options.
        if (settings.NoMulticast)
        {
            found.Add(new(VhidField.Peers, UcarpOnly, VhidField.NoMulticast));
        }
        if (!string.IsNullOrWhiteSpace(settings.MulticastGroup))
        {
            found.Add(new(VhidField.Peers, UcarpOnly, VhidField.MulticastGroup));
        }
        var peers = new List<IPAddress>();
        foreach (var entry in given)
        {
            var text = entry?.Trim() ?? "";
            if (!TryParseIPv4(text, out _) && text.Contains(':', StringComparison.Ordinal)
                && IPAddress.TryParse(text, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6)
            {
                found.Add(new(VhidField.Peers, $"must be IPv4 for now: {IPv6PeersNotSupported} (got '{text}')"));
                continue;
            }
            if (Unicast(found, VhidField.Peers, text) is not { } peer)
            {
                continue;
            }
            if (peers.Contains(peer))
            {
                found.Add(new(VhidField.Peers, $"must not name {peer} twice"));
            }
            else if (peer.Equals(vip))
            {
                found.Add(new(VhidField.Peers, $"must not be the VIP {peer}: a peer is the other node's own address"));
            }
            else if (peer.Equals(src))
            {
                found.Add(new(VhidField.Peers, $"must not be this node's own srcip {peer}"));
            }
            else
            {
                peers.Add(peer);
            }
        }
        return found.Count > before ? CarpPeers.None : new CarpPeers(peers);
    }

    private const string UcarpOnly = "cannot be combined: unicast peers on a VHID that also names ucarp-only flags (ucarp has no unicast mode)";
}
