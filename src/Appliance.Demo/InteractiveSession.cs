using System.Net.Sockets;
using Appliance.Lab;

namespace Appliance.Demo;

/// <summary>
/// The interactive demo: dashboards forwarded to the host's 127.0.0.1, keys to break things, and
/// everything printed as it happens until Ctrl-C, SIGTERM or <c>q</c>.
/// </summary>
internal sealed class InteractiveSession(DemoLab demo, DemoConsole console)
{
    public const int FirstDashboardPort = 8081;
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(5);
    private readonly List<LoopbackForwarder> _forwarders = [];
    private readonly Dictionary<DemoNode, bool> _cableUp = [];
    private bool _maintenance;

    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            var port = FirstDashboardPort;
            foreach (var node in demo.Nodes)
            {
                var forwarder = StartForwarder(ref port, node);
                _forwarders.Add(forwarder);
                console.WriteLine($"demo: {node.Name} dashboard: https://127.0.0.1:{forwarder.LocalPort}/  (user admin, password {demo.AdminPassword}; "
                    + $"self-signed certificate, SHA-256 {node.Api.Fingerprint})");
                _cableUp[node] = true;
            }
            console.WriteLine($"demo: the client requests http://{demo.Vip}/ every 10 ms; try it yourself: ip netns exec {demo.Client.Namespace} curl -s http://{demo.Vip}/");
            console.WriteLine($"demo: pull node1's cable from another terminal: ip -n {demo.Lab.BridgeNamespace} link set {demo.Node1.Node.BridgePort} down   (and 'up' to plug it back)");
            PrintHelp();
            if (Console.IsInputRedirected)
            {
                console.WriteLine("demo: stdin is not a terminal: no keys; running until Ctrl-C or SIGTERM");
                await WaitAsync(stop);
                return;
            }
            await ReadKeysAsync(stop);
        }
        finally
        {
            foreach (var forwarder in _forwarders)
            {
                await forwarder.DisposeAsync();
            }
        }
    }

    private static LoopbackForwarder StartForwarder(ref int port, DemoNode node)
    {
        // A taken port (another demo, a local service) moves us to the next free one; bounded.
        for (var attempt = 0; ; attempt++)
        {
            var candidate = port++;
            try
            {
                return new LoopbackForwarder(candidate, node.Node.Namespace, DemoNode.AppliancePort);
            }
            catch (SocketException) when (attempt < 50)
            {
                // In use: try the next.
            }
        }
    }

    private void PrintHelp() => console.WriteLine(
        "demo: keys: 1 pull/plug node1's cable, 2 pull/plug node2's cable, m node1 maintenance on/off, "
        + "a stop/start node1's Apache, k kill -9 node1's appliance (restarted 5 s later), ? these keys again, q quit (or Ctrl-C)");

    private static async Task WaitAsync(CancellationToken stop)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C or SIGTERM.
        }
    }

    private async Task ReadKeysAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (!Console.KeyAvailable)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50), stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            var key = Console.ReadKey(intercept: true).KeyChar;
            if (key is 'q' or 'Q')
            {
                return;
            }
            try
            {
                await HandleAsync(char.ToLowerInvariant(key), stop);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                console.WriteLine($"demo: '{key}' failed: {ex.Message}");
            }
        }
    }

    private async Task HandleAsync(char key, CancellationToken stop)
    {
        var node1 = demo.Node1;
        switch (key)
        {
            case '1':
            case '2':
                var node = key == '1' ? node1 : demo.Node2;
                var up = !_cableUp[node];
                demo.Lab.SetLinkUp(node.Node, up);
                _cableUp[node] = up;
                console.WriteLine($"demo: {node.Name}'s cable {(up ? "plugged back in" : "pulled")} "
                    + $"(ip -n {demo.Lab.BridgeNamespace} link set {node.Node.BridgePort} {(up ? "up" : "down")})");
                break;
            case 'm':
                _maintenance = !_maintenance;
                await node1.Api.SetMaintenanceAsync(node1.VhidId, _maintenance, stop);
                console.WriteLine($"demo: node1 maintenance {(_maintenance ? "on (POST" : "off (DELETE")} /api/vhids/{node1.VhidId}/maintenance)");
                break;
            case 'a':
                if (node1.ApacheRunning)
                {
                    await node1.StopApacheAsync();
                    console.WriteLine("demo: node1's Apache stopped");
                }
                else
                {
                    node1.StartApache();
                    console.WriteLine($"demo: node1's Apache started (pid {node1.Apache!.Pid})");
                }
                break;
            case 'k':
                if (!node1.ApplianceRunning)
                {
                    console.WriteLine("demo: node1's appliance is not running (a restart is pending)");
                    break;
                }
                var pid = node1.Appliance!.Pid;
                await node1.KillApplianceAsync();
                console.WriteLine($"demo: node1's appliance (pid {pid}) killed with SIGKILL; its VIP stays configured; restarting it in {RestartDelay.TotalSeconds:0} s");
                _ = RestartLaterAsync(node1, stop);
                break;
            case '?':
            case 'h':
                PrintHelp();
                break;
            default:
                break;
        }
    }

    private async Task RestartLaterAsync(DemoNode node, CancellationToken stop)
    {
        try
        {
            await Task.Delay(RestartDelay, stop);
            node.StartAppliance();
            console.WriteLine($"demo: {node.Name}'s appliance restarted (pid {node.Appliance!.Pid})");
            await node.Api.LoginAsync(TimeSpan.FromSeconds(60), () => "", stop);
            foreach (var line in node.Appliance.Lines.Where(l => l.Contains("left configured by an earlier run", StringComparison.Ordinal)))
            {
                console.WriteLine($"demo: {node.Name}'s appliance at start: {line.Trim()}");
            }
            // Maintenance is persistent in the node's store, so it survives the restart as it was.
        }
        catch (OperationCanceledException)
        {
            // The demo is ending.
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            console.WriteLine($"demo: restarting {node.Name}'s appliance failed: {ex.Message}");
        }
    }
}
