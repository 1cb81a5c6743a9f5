using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Appliance.Lab;

namespace Appliance.Demo;

/// <summary>
/// The demo's lab: node1 and node2 on one segment (a bridge in its own namespace) plus a client
/// namespace, addresses from a random /24 in 198.18.0.0/15. Both nodes run Apache and their own
/// appliance with the VHID configured the way the seed configures ucarp: vhid 10, advbase 1, a shared
/// password, the VIP as a /24 on eth0; node1 advskew 0 with preempt, node2 advskew 100 without.
/// </summary>
internal sealed class DemoLab : IAsyncDisposable
{
    public const int Vhid = 10;
    public const int AdvBase = 1;
    public const int PreferredSkew = 0;
    public const int BackupSkew = 100;
    public const string CarpPassword = "demo-failover";

    private readonly DemoConsole _console;

    private DemoLab(DemoConsole console, NetworkLab lab, DemoNode node1, DemoNode node2, LabNode client, IPAddress vip, string adminPassword, ApplianceLauncher launcher)
    {
        _console = console;
        Lab = lab;
        Node1 = node1;
        Node2 = node2;
        Client = client;
        Vip = vip;
        AdminPassword = adminPassword;
        Launcher = launcher;
    }

    public NetworkLab Lab { get; }

    public DemoNode Node1 { get; }

    public DemoNode Node2 { get; }

    public IReadOnlyList<DemoNode> Nodes => [Node1, Node2];

    public LabNode Client { get; }

    public IPAddress Vip { get; }

    public string AdminPassword { get; }

    public ApplianceLauncher Launcher { get; }

    /// <summary>node2's master-down interval (ms) as its appliance computes it: how long node1 may be silent.</summary>
    public double BackupMasterDownMs { get; private set; }

    /// <summary>node1's master-down interval (ms): when it becomes MASTER at the first election, having heard nobody.</summary>
    public double PreferredMasterDownMs { get; private set; }

    /// <summary>Health check on each node's own Apache: null when the appliance has no checks.</summary>
    public HealthCheckPlan? Health { get; private set; }

    public DemoNode Other(DemoNode node) => node == Node1 ? Node2 : Node1;

    public DemoNode ByName(string name) => name == Node1.Name ? Node1 : Node2;

    /// <summary>Builds the lab and starts Apache and the appliances (no VHID yet).</summary>
    public static async Task<DemoLab> CreateAsync(DemoConsole console, string appliance, CancellationToken cancellationToken)
    {
        var lab = new NetworkLab();
        try
        {
            var password = "demo-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            var launcher = new ApplianceLauncher(password, appliance);
            var node1 = new DemoNode(lab, lab.AddNode("node1"), launcher, password);
            var node2 = new DemoNode(lab, lab.AddNode("node2"), launcher, password);
            var client = lab.AddNode("client");
            var vip = lab.AllocateAddress();
            var demo = new DemoLab(console, lab, node1, node2, client, vip, password, launcher);
            console.WriteLine($"demo: lab {lab.Id}: segment {lab.SubnetPrefix}.0/{NetworkLab.PrefixLength}, "
                + $"node1 {node1.Node.Address}, node2 {node2.Node.Address}, client {client.Address}, VIP {vip}");
            foreach (var node in demo.Nodes)
            {
                node.StartApache();
                node.StartAppliance();
            }
            foreach (var node in demo.Nodes)
            {
                await node.WaitForApacheAsync(TimeSpan.FromSeconds(15), cancellationToken);
                await node.Api.LoginAsync(TimeSpan.FromSeconds(60), () => "Output: " + node.Appliance?.Output, cancellationToken);
                console.WriteLine($"demo: {node.Name}: apache2 pid {node.Apache!.Pid} serving \"{node.Name}\" on port {DemoNode.ApachePort}, "
                    + $"appliance pid {node.Appliance!.Pid} on https port {DemoNode.AppliancePort}, data {node.DataDirectory}, "
                    + $"certificate SHA-256 {node.Api.Fingerprint}");
            }
            return demo;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Configures the VHID on node1, then node2 (POST /api/vhids), as the seed's ucarp lines do.</summary>
    public async Task ConfigureVhidsAsync(CancellationToken cancellationToken)
    {
        foreach (var node in Nodes)
        {
            var preferred = node == Node1;
            var checks = Health?.ChecksFor(node);
            var input = new Dictionary<string, object?>
            {
                ["interface"] = node.Node.Interface,
                ["vhid"] = Vhid,
                ["advbase"] = AdvBase,
                ["advskew"] = preferred ? PreferredSkew : BackupSkew,
                ["password"] = CarpPassword,
                ["vip"] = Vip.ToString(),
                ["prefixLength"] = NetworkLab.PrefixLength,
                ["srcip"] = node.Node.Address.ToString(),
                ["preempt"] = preferred,
                ["neutral"] = false,
                ["deadratio"] = 3,
                ["enabled"] = true,
            };
            if (checks is not null)
            {
                input["checks"] = checks;
            }
            var created = await node.Api.CreateVhidAsync(input, cancellationToken);
            node.VhidId = created.Id;
            if (preferred)
            {
                PreferredMasterDownMs = created.MasterDownMs;
            }
            else
            {
                BackupMasterDownMs = created.MasterDownMs;
            }
            _console.WriteLine($"demo: {node.Name}: VHID {Vhid} on {node.Node.Interface}, VIP {Vip}/{NetworkLab.PrefixLength}, "
                + $"advbase {AdvBase} advskew {(preferred ? PreferredSkew : BackupSkew)}, preempt {(preferred ? "on" : "off")}"
                + (checks is null ? "" : $", health check {Health!.Describe(node)}"));
        }
    }

    /// <summary>Turns on the Apache health checks in the VHIDs created next.</summary>
    public void UseHealthChecks(HealthCheckPlan plan) => Health = plan;

    /// <summary>The node's VHID state from its own API, or null when it does not answer.</summary>
    public static async Task<VhidStatus?> TryGetStateAsync(DemoNode node, CancellationToken cancellationToken)
    {
        if (!node.ApplianceRunning)
        {
            return null;
        }
        try
        {
            var all = await node.Api.GetStatusAsync(cancellationToken);
            return all.FirstOrDefault(s => s.Vhid == Vhid);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>
    /// Waits (bounded) until <paramref name="master"/> reports MASTER, the other node (if its appliance
    /// runs) BACKUP, and the VIP is configured on the master only. Returns null on success, else what is wrong.
    /// </summary>
    public async Task<string?> WaitForMasterAsync(DemoNode master, TimeSpan timeout, CancellationToken cancellationToken, bool requireSingleVip = true)
    {
        var clock = Stopwatch.StartNew();
        string problem;
        while (true)
        {
            var ours = await TryGetStateAsync(master, cancellationToken);
            var other = Other(master);
            var theirs = await TryGetStateAsync(other, cancellationToken);
            var vipOnMaster = Lab.HasAddress(master.Node, Vip);
            var vipOnOther = Lab.HasAddress(other.Node, Vip);
            problem = (ours?.State, theirs?.State, vipOnMaster, vipOnOther) switch
            {
                (not "MASTER", _, _, _) => $"{master.Name} is {ours?.State ?? "not answering"}",
                (_, not ("BACKUP" or null), _, _) when other.ApplianceRunning => $"{other.Name} is {theirs?.State ?? "not answering"}",
                (_, _, false, _) => $"the VIP is not on {master.Name}",
                (_, _, _, true) when requireSingleVip => $"the VIP is on both nodes",
                _ => "",
            };
            if (problem.Length == 0)
            {
                return null;
            }
            if (clock.Elapsed > timeout)
            {
                return problem;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    /// <summary>Stops everything, deletes the lab, and says what was removed.</summary>
    public async ValueTask DisposeAsync()
    {
        var namespaces = Lab.Namespaces;
        var processes = Nodes.SelectMany(n => n.Started.Select(p => $"{p.Process.Pid} ({p.Role} {n.Name})")).ToList();
        var directory = Lab.WorkDirectory;
        foreach (var node in Nodes)
        {
            node.Dispose();
        }
        // SIGTERM first so each appliance bows out and removes its VIP like a normal stop; the lab
        // then SIGKILLs whatever is left and deletes the namespaces.
        var started = Nodes.SelectMany(n => n.Started).Select(s => s.Process).ToList();
        foreach (var process in started.Where(p => !p.HasExited))
        {
            process.Kill(Tmds.Linux.LibC.SIGTERM);
        }
        foreach (var process in started)
        {
            try
            {
                await process.WaitForExitAsync(TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
                // The lab's dispose kills it.
            }
        }
        await Lab.DisposeAsync();
        var left = NetworkLab.ListNamespaces().Intersect(namespaces).ToList();
        _console.WriteLine($"demo: removed namespaces {string.Join(", ", namespaces)}; processes {string.Join(", ", processes)}; files {directory}"
            + (left.Count > 0 || Directory.Exists(directory) ? $" (left behind: {string.Join(", ", left.Append(Directory.Exists(directory) ? directory : "").Where(s => s.Length > 0))})" : ""));
    }
}
