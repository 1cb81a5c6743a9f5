using System.Net;

namespace Appliance.Lab;

/// <summary>
/// One host in a <see cref="NetworkLab"/>: its own network namespace with one veth interface
/// plugged into the lab bridge.
/// </summary>
/// <param name="Name">The short name given to <see cref="NetworkLab.AddNode"/>.</param>
/// <param name="Namespace">The network namespace name (for <c>ip netns exec</c>).</param>
/// <param name="Interface">The interface name inside <paramref name="Namespace"/>.</param>
/// <param name="Address">The node's IPv4 address (a /24 from 198.18.0.0/15).</param>
/// <param name="Mac">The interface MAC address, lower-case, colon separated.</param>
/// <param name="BridgePort">The bridge-side veth end (in the bridge namespace).</param>
public sealed record LabNode(
    string Name,
    string Namespace,
    string Interface,
    IPAddress Address,
    string Mac,
    string BridgePort);
