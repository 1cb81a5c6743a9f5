using System.Buffers.Binary;
using System.Collections;
using System.Net;
using System.Net.Sockets;

namespace Appliance.Engine.Protocol;

/// <summary>
/// The unicast peers of one VHID (docs/carp-protocol.md, 5.4 Unicast peers): when there are any, adverts go to each
/// of them instead of the multicast group, and only adverts from one of them are accepted. Empty means multicast.
/// Immutable and equal by value (same addresses in the same order), so two configs naming the same peers compare
/// equal and the engine does not restart the VHID for it.
/// </summary>
public sealed class CarpPeers : IReadOnlyList<IPAddress>, IEquatable<CarpPeers>
{
    private readonly IPAddress[] _addresses;
    /// <summary>The IPv4 peers as big-endian words, so the receive path compares without allocating.</summary>
    private readonly uint[] _ipv4;

    public CarpPeers(IEnumerable<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        _addresses = [.. addresses];
        if (_addresses.Any(a => a is null))
        {
            throw new ArgumentException("a peer address is null", nameof(addresses));
        }
        _ipv4 = [.. _addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork).Select(a => BinaryPrimitives.ReadUInt32BigEndian(a.GetAddressBytes()))];
    }

    /// <summary>No peers: the VHID advertises to its multicast group (ucarp's only mode).</summary>
    public static CarpPeers None { get; } = new([]);

    /// <summary>True when adverts go to the peers rather than the group.</summary>
    public bool IsUnicast => _addresses.Length > 0;

    public int Count => _addresses.Length;

    public IPAddress this[int index] => _addresses[index];

    /// <summary>True when the 4 bytes of an IPv4 source address are one of the peers.</summary>
    public bool ContainsIPv4(ReadOnlySpan<byte> address)
    {
        if (address.Length != 4)
        {
            return false;
        }
        var value = BinaryPrimitives.ReadUInt32BigEndian(address);
        foreach (var peer in _ipv4)
        {
            if (peer == value)
            {
                return true;
            }
        }
        return false;
    }

    public IEnumerator<IPAddress> GetEnumerator() => ((IEnumerable<IPAddress>)_addresses).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(CarpPeers? other) => other is not null && _addresses.SequenceEqual(other._addresses);

    public override bool Equals(object? obj) => Equals(obj as CarpPeers);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var address in _addresses)
        {
            hash.Add(address);
        }
        return hash.ToHashCode();
    }

    /// <summary>"198.18.0.2, 198.18.0.3"; empty for none.</summary>
    public override string ToString() => string.Join(", ", _addresses.Select(a => a.ToString()));
}
