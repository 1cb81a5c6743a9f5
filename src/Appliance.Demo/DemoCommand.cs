using System.Diagnostics;
using System.Runtime.InteropServices;
using Appliance.Lab;

namespace Appliance.Demo;

/// <summary>
/// <c>./appliance demo [--check]</c> (the appliance-demo executable): two nodes with real Apache and their own appliance sharing a VIP
/// in a lab of network namespaces. Interactive by default (dashboards, keys, live transitions,
/// the client's view) until Ctrl-C; <c>--check</c> runs the scripted failover steps and exits 0
/// only if every step stayed within its bound. Either way the lab is removed at the end.
/// </summary>
public static class DemoCommand
{
    /// <summary>Runs the demo with the product at <paramref name="appliance"/>; exit 1 for every error, 130 when interrupted.</summary>
    public static async Task<int> RunAsync(bool check, string appliance)
    {
        var launcher = new FileInfo(appliance);
        if (!launcher.Exists)
        {
            await Console.Error.WriteLineAsync($"demo: --appliance: '{appliance}' does not exist (./appliance demo publishes the product first)");
            return 1;
        }
        var console = new DemoConsole(Console.Out, interactiveTerminal: !check && !Console.IsOutputRedirected);
        if (Prerequisites.Ensure(console) is { } problem)
        {
            await Console.Error.WriteLineAsync(problem);
            return 1;
        }
        StaleLabs.Remove(console);

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Cancel);

        DemoLab? demo = null;
        try
        {
            console.WriteLine(check ? "demo --check: building the lab" : "demo: building the lab (Ctrl-C stops the demo and removes everything)");
            demo = await DemoLab.CreateAsync(console, launcher.FullName, stop.Token);
            if (await HealthSupport.IsAvailableAsync(demo.Node1, stop.Token))
            {
                demo.UseHealthChecks(HealthCheckPlan.Default);
            }
            else
            {
                console.WriteLine("demo: this appliance build has no VHID health checks (no 'checks' in its API): running without them");
            }
            return check ? await RunCheckAsync(demo, console, stop.Token) : await RunInteractiveAsync(demo, console, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            console.WriteLine("demo: interrupted");
            return 130;
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or IOException)
        {
            console.ClearStatus();
            await Console.Error.WriteLineAsync($"demo: failed: {ex.Message}");
            return 1;
        }
        finally
        {
            console.ClearStatus();
            if (demo is not null)
            {
                console.WriteLine("demo: stopping the nodes and removing the lab");
                await demo.DisposeAsync();
            }
        }

        void Cancel(PosixSignalContext context)
        {
            // Handle it ourselves: the finally above must run to remove the lab.
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static async Task<int> RunCheckAsync(DemoLab demo, DemoConsole console, CancellationToken stop)
    {
        await using var prober = new HttpProber(demo.Client.Namespace, new Uri($"http://{demo.Vip}/"),
            TimeSpan.FromMilliseconds(10), CheckScenario.RequestTimeout, TimeSpan.FromMinutes(10));
        prober.Start();
        await using var printer = new TransitionPrinter(console, demo.Nodes);
        var configuredAt = Stopwatch.GetTimestamp();
        await demo.ConfigureVhidsAsync(stop);
        return await new CheckScenario(demo, console, prober, printer).RunAsync(configuredAt, stop);
    }

    private static async Task<int> RunInteractiveAsync(DemoLab demo, DemoConsole console, CancellationToken stop)
    {
        var requestTimeout = TimeSpan.FromMilliseconds(500);
        await using var prober = new HttpProber(demo.Client.Namespace, new Uri($"http://{demo.Vip}/"),
            TimeSpan.FromMilliseconds(10), requestTimeout, TimeSpan.FromDays(7));
        await using var monitor = new ClientMonitor(console, prober, requestTimeout);
        prober.Start();
        await using var printer = new TransitionPrinter(console, demo.Nodes);
        var configuredAt = Stopwatch.GetTimestamp();
        await demo.ConfigureVhidsAsync(stop);
        monitor.ElectionStarted(configuredAt, demo.Node1.Name, TimeSpan.FromMilliseconds(demo.PreferredMasterDownMs),
            demo.Node2.Name, TimeSpan.FromMilliseconds(demo.BackupMasterDownMs));
        await new InteractiveSession(demo, console).RunAsync(stop);
        return 0;
    }
}
