using System.Diagnostics;
using System.Globalization;
using System.Net;
using Appliance.Engine.StateMachine;
using Appliance.IntegrationTests.Lab;
using Appliance.Lab;

namespace Appliance.IntegrationTests.Carp;

/// <summary>
/// Shared helpers of the <c>appliance carp</c> integration tests: starting the daemon and real ucarp in
/// lab nodes with the same flags, VIP scripts in ucarp's style, log-line timestamps and bounded polling.
/// </summary>
internal static class CarpKit
{
    public const string MasterLine = "Switching to state: MASTER";
    public const string BackupLine = "Switching to state: BACKUP";
    public const string BadDigest = "Bad digest - md2=[";
    public const string Ucarp = "/usr/sbin/ucarp";

    /// <summary>A lone node (or a backup after its master vanished) becomes MASTER after master-down, plus a dotnet start.</summary>
    public static readonly TimeSpan FirstMaster = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(5);

    /// <summary>master-down = deadratio x advbase + advskew/256 s (ratio 3, advbase 1).</summary>
    public static TimeSpan MasterDown(byte advskew) => CarpTiming.MasterDown(1, advskew, 3);

    /// <summary>The ucarp flags shared by both daemons: interface, srcip, vhid, password, VIP, advbase 1, advskew.</summary>
    public static List<string> CommonArgs(LabNode node, IPAddress vip, int vhid, string password, int advskew) =>
    [
        "-i", node.Interface, "-s", node.Address.ToString(), "-v", vhid.ToString(CultureInfo.InvariantCulture),
        "-p", password, "-a", vip.ToString(), "-b", "1", "-k", advskew.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>Starts <c>dotnet appliance.dll carp &lt;args&gt;</c> in the node.</summary>
    public static LabProcess StartCarp(NetworkLab lab, LabNode node, IEnumerable<string> args) =>
        ApplianceBinary.Start(lab, node, ["carp", .. args]);

    /// <summary>Starts the real ucarp in the node.</summary>
    public static LabProcess StartUcarp(NetworkLab lab, LabNode node, IEnumerable<string> args) =>
        lab.Start(node, Ucarp, args);

    /// <summary>
    /// Writes up/down scripts that own the VIP exactly like a ucarp setup (<c>ip addr add/del $2/32 dev $1</c>)
    /// and returns the flags <c>-u up -d down</c>.
    /// </summary>
    public static string[] VipScripts(NetworkLab lab, LabNode node)
    {
        var up = lab.WriteExecutable($"vip-up-{node.Name}.sh", "#!/bin/sh\nexec ip addr add \"$2\"/32 dev \"$1\"\n");
        var down = lab.WriteExecutable($"vip-down-{node.Name}.sh", "#!/bin/sh\nip addr del \"$2\"/32 dev \"$1\" 2>/dev/null\nexit 0\n");
        return ["-u", up, "-d", down];
    }

    /// <summary>
    /// The node's bridge port: 0 disabled (frames stop both ways, the node keeps its carrier: a partition, not a
    /// cable pull), 3 forwarding (docs/namespace-lab.md).
    /// </summary>
    public static void SetPortState(NetworkLab lab, LabNode node, int state)
    {
        using var process = Process.Start("ip",
            ["netns", "exec", lab.BridgeNamespace, "bridge", "link", "set", "dev", node.BridgePort, "state", state.ToString(CultureInfo.InvariantCulture)])!;
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)) && process.ExitCode == 0, $"bridge link set {node.BridgePort} state {state}");
    }

    /// <summary>
    /// Whether the bridge floods multicast to the node's port (<c>bridge link set dev PORT mcast_flood on|off</c>). Off, no
    /// advert sent to 224.0.0.18 reaches the node (the group is link-local, so the bridge never snoops it): a switch
    /// or cloud network that does not carry multicast (docs/carp-protocol.md, 5.4 Unicast peers).
    /// </summary>
    public static void SetMulticastFlood(NetworkLab lab, LabNode node, bool on)
    {
        using var process = Process.Start("ip",
            ["netns", "exec", lab.BridgeNamespace, "bridge", "link", "set", "dev", node.BridgePort, "mcast_flood", on ? "on" : "off"])!;
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)) && process.ExitCode == 0, $"bridge link set {node.BridgePort} mcast_flood {(on ? "on" : "off")}");
    }

    /// <summary>The local time stamped at the start of a ucarp-style log line (<c>2026-11-26T10:43:59.916504: ...</c>).</summary>
    public static DateTime Stamp(string line)
    {
        var colon = line.IndexOf(": [", StringComparison.Ordinal);
        Assert.True(colon > 0, $"no timestamp in log line '{line}'");
        return DateTime.ParseExact(line[..colon], "yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal);
    }

    /// <summary>Lines of <paramref name="process"/> from <paramref name="fromLine"/> on that contain <paramref name="text"/>.</summary>
    public static List<string> LinesWith(LabProcess process, string text, int fromLine = 0) =>
        [.. process.Lines.Skip(fromLine).Where(l => l.Contains(text, StringComparison.Ordinal))];

    /// <summary>Index of the first line from <paramref name="fromLine"/> on containing <paramref name="text"/>, or -1.</summary>
    public static int IndexOf(LabProcess process, string text, int fromLine = 0)
    {
        var lines = process.Lines;
        for (var i = fromLine; i < lines.Count; i++)
        {
            if (lines[i].Contains(text, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The last "Switching to state: X" of the process, or null.</summary>
    public static string? LastState(LabProcess process) =>
        process.Lines.LastOrDefault(l => l.Contains("Switching to state: ", StringComparison.Ordinal)) is { } line
            ? line[(line.LastIndexOf(' ') + 1)..]
            : null;

    /// <summary>Which lab nodes hold <paramref name="vip"/>.</summary>
    public static string[] Holders(NetworkLab lab, IPAddress vip) =>
        [.. lab.Nodes.Where(n => lab.HasAddress(n, vip)).Select(n => n.Name)];

    public static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
}
