using Appliance.Lab;
using Tmds.Linux;

namespace Appliance.Demo;

/// <summary>
/// One node of the demo: a lab namespace running real Apache 2 on port 80 and its own
/// `appliance serve` (its own LiteDB file, its generated HTTPS certificate) on https port 8080, both started with the lab so that
/// disposing the lab kills them.
/// </summary>
internal sealed class DemoNode : IDisposable
{
    public const int ApachePort = 80;
    public const int AppliancePort = 8080;

    private readonly NetworkLab _lab;
    private readonly ApplianceLauncher _launcher;
    private readonly string _apacheConfig;

    public DemoNode(NetworkLab lab, LabNode node, ApplianceLauncher launcher, string adminPassword)
    {
        _lab = lab;
        Node = node;
        _launcher = launcher;
        Directory = Path.Combine(lab.WorkDirectory, node.Name);
        DataDirectory = Path.Combine(Directory, "data");
        System.IO.Directory.CreateDirectory(DataDirectory);
        _apacheConfig = ApacheSite.Write(Path.Combine(Directory, "apache"), node.Name, ApachePort);
        Api = new ApplianceApi(node.Namespace, AppliancePort, adminPassword, DataDirectory);
    }

    public LabNode Node { get; }

    public string Name => Node.Name;

    /// <summary>The node's files: apache/ (config, pid, logs, page) and data/ (appliance.db).</summary>
    public string Directory { get; }

    public string DataDirectory { get; }

    public ApplianceApi Api { get; }

    public LabProcess? Apache { get; private set; }

    public LabProcess? Appliance { get; private set; }

    /// <summary>The id of the demo's VHID in this node's store, once configured.</summary>
    public int VhidId { get; set; }

    /// <summary>Every process this node started (also the ended ones), for the goodbye line.</summary>
    public List<(string Role, LabProcess Process)> Started { get; } = [];

    public bool ApacheRunning => Apache is { HasExited: false };

    public bool ApplianceRunning => Appliance is { HasExited: false };

    public void StartApache()
    {
        // -DFOREGROUND: the main process stays our child (ip netns exec execs in place), so its PID
        // is the one we signal and the lab's cleanup kills.
        Apache = _lab.Start(Node, ApacheSite.Binary, ["-f", _apacheConfig, "-DFOREGROUND"]);
        Started.Add(("apache2", Apache));
    }

    /// <summary>SIGTERM (Apache stops its workers and exits), bounded wait.</summary>
    public async Task StopApacheAsync()
    {
        if (Apache is not { HasExited: false } apache)
        {
            return;
        }
        apache.Kill(LibC.SIGTERM);
        try
        {
            await apache.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            apache.Kill();
        }
    }

    /// <summary>Waits (bounded) until Apache answers on the node's own address with the node's page.</summary>
    public async Task WaitForApacheAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var sockets = new NetnsSocketFactory(Node.Namespace);
        using var http = sockets.CreateHttpClient(TimeSpan.FromSeconds(1));
        var deadline = TimeProvider.System.GetTimestamp();
        while (true)
        {
            try
            {
                var body = (await http.GetStringAsync(new Uri($"http://{Node.Address}:{ApachePort}/"), cancellationToken)).Trim();
                if (body == Name)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet.
            }
            if (TimeProvider.System.GetElapsedTime(deadline) > timeout || Apache is { HasExited: true })
            {
                var log = Path.Combine(Directory, "apache", "error.log");
                throw new InvalidOperationException(
                    $"Apache on {Name} did not serve its page within {timeout.TotalSeconds:0} s. Output: {Apache?.Output} "
                    + (File.Exists(log) ? "error.log: " + await File.ReadAllTextAsync(log, cancellationToken) : ""));
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    public void StartAppliance()
    {
        Appliance = _launcher.Start(_lab, Node, ["serve", "--urls", $"https://0.0.0.0:{AppliancePort}", "--data", DataDirectory]);
        Started.Add(("appliance", Appliance));
    }

    /// <summary>SIGKILL, as a crash or power loss would: no graceful bow-out, the VIP stays configured.</summary>
    public async Task KillApplianceAsync()
    {
        if (Appliance is not { HasExited: false } appliance)
        {
            return;
        }
        appliance.Kill();
        await appliance.WaitForExitAsync(TimeSpan.FromSeconds(10));
    }

    public void Dispose() => Api.Dispose();
}
