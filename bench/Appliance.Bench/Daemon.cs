using System.Globalization;
using System.Net;
using Appliance.Lab;
using Tmds.Linux;

namespace Appliance.Bench;

/// <summary>Which node of a pair a daemon runs on: node1 is the preferred master, node2 the backup.</summary>
internal enum Role
{
    Preferred,
    Backup,
}

/// <summary>Everything a daemon needs to start on one node of a pair.</summary>
internal sealed record DaemonContext(NetworkLab Lab, LabNode Node, Role Role, IPAddress Vip, int Vhid, string Tag);

/// <summary>
/// One failover daemon under test (appliance carp, ucarp, keepalived) at one timing. Knows how to
/// start it on a node, what its log says on transitions, and which processes make it up.
/// </summary>
internal abstract class Daemon
{
    protected Daemon(string name, string timing, TimeSpan masterDown, TimeSpan advertInterval)
    {
        Name = name;
        Timing = timing;
        MasterDown = masterDown;
        AdvertInterval = advertInterval;
    }

    /// <summary>e.g. "appliance carp".</summary>
    public string Name { get; }

    /// <summary>e.g. "advbase 1".</summary>
    public string Timing { get; }

    public string Label => $"{Name} ({Timing})";

    /// <summary>The backup's master-down interval (what a takeover should cost).</summary>
    public TimeSpan MasterDown { get; }

    /// <summary>The preferred node's advert interval.</summary>
    public TimeSpan AdvertInterval { get; }

    /// <summary>The log text of entering MASTER / BACKUP.</summary>
    public abstract string MasterLine { get; }

    public abstract string BackupLine { get; }

    /// <summary>True for the daemon the ratios are computed against (ucarp).</summary>
    public virtual bool IsReference => false;

    public abstract LabProcess Start(DaemonContext context);

    /// <summary>The daemon's processes (a parent and its children, e.g. keepalived's VRRP child).</summary>
    public virtual IReadOnlyList<int> Pids(LabProcess process) => ProcStats.WithChildren(process.Pid);

    /// <summary>SIGKILL every process of the daemon at once (children first, so none can clean up).</summary>
    public void KillHard(LabProcess process)
    {
        if (process.HasExited)
        {
            return;
        }
        foreach (var pid in Pids(process).Reverse())
        {
            _ = LibC.kill(pid, LibC.SIGKILL);
        }
    }

    protected static string Ip(LabNode node) => node.Address.ToString();

    protected static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A daemon that runs many VHIDs in one process (<see cref="Scale"/>, <see cref="LoadRun"/>): vhid i on VIP <see cref="Scale.Vip"/>(i).</summary>
internal interface IMultiVhidDaemon
{
    /// <summary>
    /// Starts vhids 1..<paramref name="vhids"/> on <paramref name="node"/>, all preferred (each becomes MASTER alone)
    /// or all backup (the preferred node's peer).
    /// </summary>
    LabProcess StartMany(NetworkLab lab, LabNode node, int vhids, Role role = Role.Preferred);
}

/// <summary><c>appliance carp</c>: the engine owns the VIP (--manage-vip) and bows out on SIGTERM (-z).</summary>
internal sealed class ApplianceCarpDaemon(string applianceExe, byte advbase, byte preferredSkew, byte backupSkew, string timing)
    : Daemon("appliance carp", timing, Appliance.Engine.StateMachine.CarpTiming.MasterDown(advbase, backupSkew, 3),
        Appliance.Engine.StateMachine.CarpTiming.AdvertInterval(advbase, preferredSkew)), IMultiVhidDaemon
{
    public byte AdvBase { get; } = advbase;

    public byte PreferredSkew { get; } = preferredSkew;

    public byte BackupSkew { get; } = backupSkew;

    public override string MasterLine => "Switching to state: MASTER";

    public override string BackupLine => "Switching to state: BACKUP";

    public IReadOnlyList<string> Arguments(DaemonContext c)
    {
        var args = new List<string>
        {
            "carp", "-i", c.Node.Interface, "-s", Ip(c.Node), "-v", Int(c.Vhid), "-p", "benchpw", "-a", c.Vip.ToString(),
            "--prefixlen", "24", "-b", Int(AdvBase), "-k", Int(c.Role == Role.Preferred ? PreferredSkew : BackupSkew),
            "-z", "--manage-vip",
        };
        if (c.Role == Role.Preferred)
        {
            args.Add("-P");
        }
        return args;
    }

    public override LabProcess Start(DaemonContext c) => c.Lab.Start(c.Node, applianceExe, Arguments(c));

    /// <summary>One process, one --config line per VHID (ucarp's flags), VIPs /32.</summary>
    public LabProcess StartMany(NetworkLab lab, LabNode node, int vhids, Role role = Role.Preferred)
    {
        var skew = role == Role.Preferred ? $"-k {Int(PreferredSkew)} -P" : $"-k {Int(BackupSkew)}";
        var lines = Enumerable.Range(1, vhids).Select(i =>
            $"-i {node.Interface} -s {Ip(node)} -v {Int(i)} -p benchpw -a {Scale.Vip(i)} -b {Int(AdvBase)} {skew} -z --manage-vip");
        var config = Path.Combine(lab.WorkDirectory, role == Role.Preferred ? $"carp-{vhids}.conf" : $"carp-{vhids}-{node.Name}.conf");
        File.WriteAllLines(config, lines);
        return lab.Start(node, applianceExe, ["carp", $"--config={config}"]);
    }
}

/// <summary>Debian's ucarp 1.5.2: up/down scripts add and remove the VIP; ucarp sends the gratuitous ARP itself.</summary>
internal sealed class UcarpDaemon() : Daemon("ucarp", "advbase 1", TimeSpan.FromSeconds(3) + TimeSpan.FromMicroseconds(3906), TimeSpan.FromSeconds(1))
{
    public override string MasterLine => "Switching to state: MASTER";

    public override string BackupLine => "Switching to state: BACKUP";

    public override bool IsReference => true;

    public override LabProcess Start(DaemonContext c)
    {
        var up = c.Lab.WriteExecutable("ucarp-up.sh", "#!/bin/sh\nexec ip addr add \"$2\"/24 dev \"$1\"\n");
        var down = c.Lab.WriteExecutable("ucarp-down.sh", "#!/bin/sh\nexec ip addr del \"$2\"/24 dev \"$1\"\n");
        var args = new List<string>
        {
            "-i", c.Node.Interface, "-s", Ip(c.Node), "-v", Int(c.Vhid), "-p", "benchpw", "-a", c.Vip.ToString(),
            "-b", "1", "-k", c.Role == Role.Preferred ? "0" : "1", "-z", "-u", up, "-d", down,
        };
        if (c.Role == Role.Preferred)
        {
            args.Add("-P");
        }
        return c.Lab.Start(c.Node, "/usr/sbin/ucarp", args);
    }
}

/// <summary>Debian's keepalived 2.2.7, VRRPv3, priority 200 (node1) / 100 (node2), both starting as BACKUP, preempt on.</summary>
internal sealed class KeepalivedDaemon(double advertInt, string timing)
    : Daemon("keepalived VRRPv3", timing,
        // RFC 5798: 3 x interval + (256 - priority) x interval / 256, priority 100.
        TimeSpan.FromSeconds((3 * advertInt) + ((256 - 100) * advertInt / 256)), TimeSpan.FromSeconds(advertInt)), IMultiVhidDaemon
{
    public override string MasterLine => "Entering MASTER STATE";

    public override string BackupLine => "Entering BACKUP STATE";

    public override LabProcess Start(DaemonContext c) =>
        Run(c.Lab, c.Node, c.Tag, [Instance(c.Node, c.Vhid, c.Role == Role.Preferred ? 200 : 100, $"{c.Vip}/24")]);

    /// <summary>One vrrp_instance per VHID in one configuration, VIPs /32; priority 200 preferred, 100 backup.</summary>
    public LabProcess StartMany(NetworkLab lab, LabNode node, int vhids, Role role = Role.Preferred) =>
        Run(lab, node, $"scale{vhids}", [.. Enumerable.Range(1, vhids).Select(i => Instance(node, i, role == Role.Preferred ? 200 : 100, $"{Scale.Vip(i)}/32"))]);

    private string Instance(LabNode node, int vrid, int priority, string vip) => $$"""
        vrrp_instance VI_{{vrid}} {
            state BACKUP
            interface {{node.Interface}}
            virtual_router_id {{vrid}}
            priority {{priority}}
            advert_int {{advertInt.ToString("0.###", CultureInfo.InvariantCulture)}}
            virtual_ipaddress {
                {{vip}} dev {{node.Interface}}
            }
        }

        """;

    private static LabProcess Run(NetworkLab lab, LabNode node, string tag, IEnumerable<string> instances)
    {
        var dir = Path.Combine(lab.WorkDirectory, $"keepalived-{tag}-{node.Name}");
        Directory.CreateDirectory(dir);
        var conf = Path.Combine(dir, "keepalived.conf");
        // A SIGKILLed run leaves its pid files; keepalived would refuse to start while a zombie holds the PID.
        File.Delete(Path.Combine(dir, "keepalived.pid"));
        File.Delete(Path.Combine(dir, "vrrp.pid"));
        File.WriteAllText(conf, $$"""
            global_defs {
                router_id {{node.Name}}
                vrrp_version 3
                enable_script_security
            }

            """ + string.Concat(instances));
        return lab.Start(node, "/usr/sbin/keepalived",
            ["-n", "-l", "-G", "-P", "-f", conf, "-p", Path.Combine(dir, "keepalived.pid"), "-r", Path.Combine(dir, "vrrp.pid")]);
    }
}
