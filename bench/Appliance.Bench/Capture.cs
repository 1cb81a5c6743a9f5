using System.Globalization;
using System.Net;
using Appliance.Lab;

namespace Appliance.Bench;

internal enum PacketKind
{
    Advert,
    GratuitousArp,
}

/// <summary>One captured packet: kernel receive time (Unix seconds), source, what it was, and for an advert its vhid/vrid.</summary>
internal sealed record CapturedPacket(double Time, string Source, PacketKind Kind, int Priority, int Vrid = 0);

/// <summary>
/// tcpdump (-tt -nn -l, text) inside a lab namespace, capturing CARP/VRRP adverts (proto 112) and
/// ARP. Timestamps are the kernel's receive times in the capturing namespace.
/// </summary>
internal sealed class Capture
{
    private readonly LabProcess _process;

    private Capture(LabProcess process) => _process = process;

    public static async Task<Capture> StartAsync(NetworkLab lab, LabNode node)
    {
        var process = lab.Start(node, "tcpdump", ["-i", node.Interface, "-nn", "-tt", "-l", "-p", "proto 112 or arp"]);
        await process.WaitForLineAsync("listening on", TimeSpan.FromSeconds(10));
        return new Capture(process);
    }

    /// <summary>Unix time now, in seconds (comparable to the capture's timestamps: both CLOCK_REALTIME).</summary>
    public static double Now() => (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / (double)TimeSpan.TicksPerSecond;

    public void Stop()
    {
        _process.Kill(Tmds.Linux.LibC.SIGINT);
    }

    /// <summary>Every advert and gratuitous ARP (for <paramref name="vip"/>, if given) captured so far.</summary>
    public IReadOnlyList<CapturedPacket> Packets(IPAddress? vip = null)
    {
        var result = new List<CapturedPacket>();
        var vipText = vip?.ToString();
        foreach (var line in _process.Lines)
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 4 || !double.TryParse(f[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var t))
            {
                continue;
            }
            if (f[1] == "IP" && line.Contains("VRRP", StringComparison.Ordinal))
            {
                var prio = Array.IndexOf(f, "prio");
                var p = prio > 0 && int.TryParse(f[prio + 1].TrimEnd(','), CultureInfo.InvariantCulture, out var v) ? v : -1;
                // tcpdump decodes CARP as VRRPv2: "vrid 7, prio 20," (vrid = vhid, prio = advskew).
                var vrid = Array.IndexOf(f, "vrid");
                var id = vrid > 0 && int.TryParse(f[vrid + 1].TrimEnd(','), CultureInfo.InvariantCulture, out var n) ? n : 0;
                result.Add(new CapturedPacket(t, f[2], PacketKind.Advert, p, id));
            }
            else if (f[1] == "ARP,")
            {
                // Gratuitous: "ARP, Request who-has V (ff:..) tell V, length 28" (what all three daemons send).
                var who = Array.IndexOf(f, "who-has");
                var tell = Array.IndexOf(f, "tell");
                var target = who > 0 && tell > 0 && f[who + 1] == f[tell + 1].TrimEnd(',') ? f[who + 1] : null;
                if (target is not null && (vipText is null || target == vipText))
                {
                    result.Add(new CapturedPacket(t, target, PacketKind.GratuitousArp, 0));
                }
            }
        }
        return result;
    }
}
