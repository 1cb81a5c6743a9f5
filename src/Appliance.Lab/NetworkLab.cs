using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Appliance.Lab;

/// <summary>
/// A private L2 segment built from network namespaces: one namespace holds a Linux bridge, every
/// node gets its own namespace plugged into the bridge by a veth pair. Names are unique per lab
/// (<c>apl-&lt;6 hex&gt;-…</c>) and the subnet is a random /24 inside 198.18.0.0/15. Dispose kills
/// every process started here and deletes every namespace; it never throws.
/// </summary>
/// <remarks>
/// Needs root. If the namespaces cannot be created the constructor throws: lab tests fail
/// loudly, they never skip.
/// </remarks>
public sealed partial class NetworkLab : IDisposable, IAsyncDisposable
{
    /// <summary>Every lab namespace starts with this; scripts/test deletes stale ones.</summary>
    public const string Prefix = "apl-";

    /// <summary>The bridge name inside <see cref="BridgeNamespace"/>.</summary>
    public const string BridgeName = "br0";

    /// <summary>The node-side interface name inside every node namespace.</summary>
    public const string NodeInterface = "eth0";

    /// <summary>Owner files for live labs, so scripts/test only removes namespaces of dead runs.</summary>
    internal const string OwnerDirectory = "/run/appliance-lab";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan LinkUpTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly List<string> _namespaces = [];
    private readonly List<LabNode> _nodes = [];
    private readonly List<LabProcess> _processes = [];
    private readonly HashSet<int> _usedHosts = [];
    private readonly string _ownerFile;
    private int _nextPort;
    private bool _disposed;

    public NetworkLab()
    {
        Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        // 198.18.0.0/15 = 198.18.0.0 .. 198.19.255.255: 512 possible /24s.
        var block = RandomNumberGenerator.GetInt32(512);
        SubnetPrefix = $"198.{18 + (block / 256)}.{block % 256}";
        BridgeNamespace = $"{Prefix}{Id}-br";
        WorkDirectory = Path.Combine(Path.GetTempPath(), $"{Prefix}{Id}");
        _ownerFile = Path.Combine(OwnerDirectory, Id);

        try
        {
            Directory.CreateDirectory(WorkDirectory);
            Directory.CreateDirectory(OwnerDirectory);
            File.WriteAllText(_ownerFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            AddNamespace(BridgeNamespace);
            IpChecked("-n", BridgeNamespace, "link", "add", "name", BridgeName, "type", "bridge");
            // No STP (ports forward at once) and no IGMP snooping: CARP adverts go to
            // 224.0.0.18 and must reach every port.
            IpChecked("-n", BridgeNamespace, "link", "set", "dev", BridgeName, "type", "bridge", "stp_state", "0", "mcast_snooping", "0");
            IpChecked("-n", BridgeNamespace, "link", "set", "dev", BridgeName, "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Six random hex digits naming this lab.</summary>
    public string Id { get; }

    /// <summary>The first three octets of this lab's /24, e.g. <c>198.19.42</c>.</summary>
    public string SubnetPrefix { get; }

    public const int PrefixLength = 24;

    public string BridgeNamespace { get; }

    /// <summary>A scratch directory (scripts, data dirs), deleted on dispose.</summary>
    public string WorkDirectory { get; }

    /// <summary>Every namespace this lab created so far (bridge first).</summary>
    public IReadOnlyList<string> Namespaces
    {
        get
        {
            lock (_gate)
            {
                return [.. _namespaces];
            }
        }
    }

    public IReadOnlyList<LabNode> Nodes
    {
        get
        {
            lock (_gate)
            {
                return [.. _nodes];
            }
        }
    }

    /// <summary>The address <c>SubnetPrefix.host</c>.</summary>
    public IPAddress Address(int host)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(host, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(host, 254);
        return IPAddress.Parse($"{SubnetPrefix}.{host}");
    }

    /// <summary>
    /// Reserves a free address in the lab subnet that no node uses (for a VIP). Nodes take
    /// addresses from .10 up, VIPs from .200 up.
    /// </summary>
    public IPAddress AllocateAddress() => Address(ReserveHost(200));

    /// <summary>
    /// Adds a node: namespace <c>apl-&lt;id&gt;-&lt;name&gt;</c>, interface <see cref="NodeInterface"/>
    /// with the next free address, loopback up. Returns once the interface reports LOWER_UP.
    /// </summary>
    /// <param name="name">1 to 8 characters of [a-z0-9].</param>
    public LabNode AddNode(string name)
    {
        if (!ValidName().IsMatch(name))
        {
            throw new ArgumentException($"Node name '{name}' must be 1 to 8 characters of [a-z0-9].", nameof(name));
        }

        var ns = $"{Prefix}{Id}-{name}";
        int port;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_namespaces.Contains(ns))
            {
                throw new ArgumentException($"Node '{name}' already exists in lab {Id}.", nameof(name));
            }

            port = ++_nextPort;
        }

        var bridgePort = $"p{port}";
        var address = Address(ReserveHost(10));
        AddNamespace(ns);
        IpChecked("-n", ns, "link", "set", "dev", "lo", "up");
        IpChecked("-n", BridgeNamespace, "link", "add", "name", bridgePort, "type", "veth", "peer", "name", NodeInterface, "netns", ns);
        IpChecked("-n", BridgeNamespace, "link", "set", "dev", bridgePort, "master", BridgeName);
        IpChecked("-n", BridgeNamespace, "link", "set", "dev", bridgePort, "up");
        IpChecked("-n", ns, "addr", "add", $"{address}/{PrefixLength}", "dev", NodeInterface);
        IpChecked("-n", ns, "link", "set", "dev", NodeInterface, "up");

        var link = IpChecked("-n", ns, "-o", "link", "show", "dev", NodeInterface);
        var mac = MacPattern().Match(link.StdOut);
        if (!mac.Success)
        {
            throw new InvalidOperationException($"No MAC address in: {link.StdOut}");
        }

        var node = new LabNode(name, ns, NodeInterface, address, mac.Groups[1].Value, bridgePort);
        lock (_gate)
        {
            _nodes.Add(node);
        }

        WaitForLinkUp(node, LinkUpTimeout);
        return node;
    }

    /// <summary>Adds a client node named <c>c1</c>, <c>c2</c>, ….</summary>
    public LabNode AddClient()
    {
        int count;
        lock (_gate)
        {
            count = _nodes.Count(n => n.Name.StartsWith('c')) + 1;
        }

        return AddNode($"c{count}");
    }

    private int ReserveHost(int from)
    {
        lock (_gate)
        {
            for (var host = from; host <= 254; host++)
            {
                if (_usedHosts.Add(host))
                {
                    return host;
                }
            }
        }

        throw new InvalidOperationException($"Lab {Id} ran out of addresses from .{from}.");
    }

    private void AddNamespace(string ns)
    {
        var result = Ip("netns", "add", ns);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(
                $"'ip netns add {ns}' failed ({result}). Lab tests need root and network namespaces; they do not skip.");
        }

        lock (_gate)
        {
            _namespaces.Add(ns);
        }
    }

    private static LabCommandResult Ip(params string[] args) => Exec("ip", args, CommandTimeout);

    private static LabCommandResult IpChecked(params string[] args)
    {
        var result = Ip(args);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"'ip {string.Join(' ', args)}' failed: {result}");
        }

        return result;
    }

    /// <summary>Runs a program in the current (root) namespace to completion; kills it on timeout.</summary>
    internal static LabCommandResult Exec(string fileName, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {fileName}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(5));
            throw new TimeoutException($"'{fileName} {string.Join(' ', psi.ArgumentList)}' did not finish within {timeout}.");
        }

        // Output of backgrounded grandchildren could hold the pipes open: bound the drain.
        Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(5));
        return new LabCommandResult(
            process.ExitCode,
            stdout.IsCompletedSuccessfully ? stdout.Result : string.Empty,
            stderr.IsCompletedSuccessfully ? stderr.Result : string.Empty);
    }

    [GeneratedRegex("^[a-z0-9]{1,8}$")]
    private static partial Regex ValidName();

    [GeneratedRegex(@"link/ether ([0-9a-f]{2}(?::[0-9a-f]{2}){5})")]
    private static partial Regex MacPattern();
}
