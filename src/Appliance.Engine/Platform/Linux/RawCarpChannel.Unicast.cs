using Appliance.Engine.Protocol;
using Appliance.Engine.Transport;
using Tmds.Linux;

namespace Appliance.Engine.Platform.Linux;

/// <summary>Unicast peers (docs/carp-protocol.md, 5.4 Unicast peers): the same advert, sent to each peer instead of the group.</summary>
internal sealed unsafe partial class RawCarpChannel
{
    /// <summary>
    /// socket(AF_INET, SOCK_RAW, 112) tied to the interface and, unlike the multicast socket, bound to srcip: a raw
    /// socket bound to a unicast address receives only packets addressed to it (net/ipv4/raw.c raw_v4_match), which
    /// is what a peer sends here, and sends from it. No group is joined, so no multicast advert is asked for.
    /// </summary>
    private static SafeFd OpenUnicastSocket(CarpChannelOptions options) => OpenRawSocket(options, s =>
    {
        // TTL 255 as in multicast mode (OpenRawSocket): the packet is unchanged, only its destination differs.
        var local = new sockaddr_in { sin_family = LibC.AF_INET };
        WriteAddress(&local.sin_addr, options.Source);
        if (LibC.bind(s, (sockaddr*)&local, SizeOf.sockaddr_in) < 0)
        {
            var errno = Errno.Last;
            throw Errno.Error($"bind to srcip {options.Source} (with unicast peers srcip must be an address of {options.Interface})", errno);
        }
    });

    /// <summary>
    /// One sendto per peer, allocating nothing while they succeed. A peer that cannot be reached does not keep the
    /// advert from the others: every peer is tried, then the first failure is reported.
    /// </summary>
    private void SendToPeers(ReadOnlySpan<byte> payload, CarpPeers peers)
    {
        PlatformException? failure = null;
        using var lease = _receiveFd.Acquire();
        fixed (byte* data = payload)
        {
            for (var i = 0; i < peers.Count; i++)
            {
                var destination = new sockaddr_in { sin_family = LibC.AF_INET };
                WriteAddress(&destination.sin_addr, peers[i]);
                while (LibC.sendto(lease.Fd, data, payload.Length, 0, (sockaddr*)&destination, SizeOf.sockaddr_in) < 0)
                {
                    var errno = Errno.Last;
                    if (errno != LibC.EINTR)
                    {
                        failure ??= Errno.Error($"sendto({peers[i]})", errno);
                        break;
                    }
                }
            }
        }
        if (failure is not null)
        {
            throw failure;
        }
    }
}
