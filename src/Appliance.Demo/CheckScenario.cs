using System.Diagnostics;
using System.Globalization;
using Appliance.Lab;

namespace Appliance.Demo;

/// <summary>
/// <c>appliance demo --check</c>: the demo's story scripted, each event measured by the client in the
/// lab (one GET of http://VIP/ every 10 ms, each with its own connection). The downtime of a step
/// is the longest time between two successful requests around the event (<see cref="HttpProber.Gap"/>).
/// Bounds come from the configured timing: node2 declares node1 dead after its master-down interval
/// (3 x advbase + advskew/256 = 3.39 s); a preempt or a graceful handover needs no timeout at all.
/// </summary>
internal sealed class CheckScenario(DemoLab demo, DemoConsole console, HttpProber prober, TransitionPrinter printer)
{
    /// <summary>Slack for scheduling, netlink and the gratuitous ARP on a busy 2-core machine.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(1000);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(15);

    private readonly List<StepResult> _results = [];
    private readonly List<string> _notes = [];
    private int _count;

    public static TimeSpan RequestTimeout { get; } = TimeSpan.FromMilliseconds(500);

    public async Task<int> RunAsync(long configuredAt, CancellationToken cancellationToken)
    {
        var node1 = demo.Node1;
        var node2 = demo.Node2;
        var masterDown = TimeSpan.FromMilliseconds(demo.BackupMasterDownMs);
        var health = demo.Health;
        _count = health is null ? 7 : 9;

        // 1. The VIP lands on node1 and the page says node1.
        await StartStepAsync(configuredAt, masterDown + masterDown, cancellationToken);

        // 2. node1's cable is pulled: node2 hears no adverts for master-down and takes over.
        await StepAsync("link-down", node1, node2, masterDown + Slack, masterDown + Slack,
            () => { demo.Lab.SetLinkUp(node1.Node, false); return Task.CompletedTask; }, null, cancellationToken);

        // 3. The cable is back: node1 hears node2's slower adverts and preempts.
        await StepAsync("link-up-preempt", node2, node1, Slack, null,
            () => { demo.Lab.SetLinkUp(node1.Node, true); return Task.CompletedTask; }, null, cancellationToken);

        // 4. node1's appliance dies (SIGKILL): no bow-out; node2 takes over after master-down.
        //    node1 keeps the VIP and Apache keeps serving, so the client may see no outage at all
        //    until node2's gratuitous ARP moves it.
        string? staleVip = null;
        await StepAsync("sigkill", node1, node2, masterDown + Slack, masterDown + Slack,
            node1.KillApplianceAsync,
            () =>
            {
                // The dead run's VIP is still configured: a duplicate address until node1 restarts.
                staleVip = demo.Lab.HasAddress(node1.Node, demo.Vip) ? "node1 still holds the VIP (stale)" : null;
                _notes.Add(staleVip ?? "node1 no longer holds the VIP");
                return Task.FromResult<string?>(null);
            },
            cancellationToken, requireSingleVip: false);

        // 5. node1's appliance restarts: it removes the stale VIP first, joins as BACKUP, preempts.
        await StepAsync("restart", node2, node1, Slack, null,
            async () =>
            {
                node1.StartAppliance();
                await node1.Api.LoginAsync(TimeSpan.FromSeconds(60), () => "Output: " + node1.Appliance?.Output, cancellationToken);
            },
            () =>
            {
                var removed = node1.Appliance!.Lines.Any(l => l.Contains("left configured by an earlier run", StringComparison.Ordinal));
                if (removed)
                {
                    _notes.Add("node1 removed the stale VIP at start; VIP now on node1 only");
                }
                return Task.FromResult(
                    staleVip is null ? "the stale VIP was not left on node1 after SIGKILL (nothing to remove)"
                    : !removed ? "node1's appliance did not log removing the stale VIP"
                    : null);
            },
            cancellationToken);

        // 6. Graceful handover: maintenance on node1 (it advertises the bow-out pair, node2 takes over at once).
        await StepAsync("maintenance-on", node1, node2, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500) + Slack,
            () => node1.Api.SetMaintenanceAsync(node1.VhidId, true, cancellationToken), null, cancellationToken);

        // 7. Maintenance off: node1 preempts again.
        await StepAsync("maintenance-off", node2, node1, Slack, null,
            () => node1.Api.SetMaintenanceAsync(node1.VhidId, false, cancellationToken), null, cancellationToken);

        if (health is not null)
        {
            // 8. node1's Apache stops: after fall x interval failed checks node1 demotes itself, node2 serves.
            var bound = health.DetectionTime + health.Timeout + Slack;
            await StepAsync("apache-down", node1, node2, bound, bound,
                node1.StopApacheAsync, null, cancellationToken);

            // 9. Apache is back: after rise x interval node1 is healthy and preempts.
            await StepAsync("apache-up", node2, node1, Slack, null,
                () => { node1.StartApache(); return Task.CompletedTask; }, null, cancellationToken);
        }

        var passed = _results.Count(r => r.Passed);
        var allPassed = passed == _count && _results.Count == _count;
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"demo --check: {passed}/{_count} steps passed; downtimes {string.Join(", ", _results.Skip(1).Select(r => $"{r.Name} {r.Downtime.TotalMilliseconds:0} ms"))}; {(allPassed ? "PASS" : "FAIL")}"));
        return allPassed ? 0 : 1;
    }

    private async Task StartStepAsync(long configuredAt, TimeSpan bound, CancellationToken cancellationToken)
    {
        var node1 = demo.Node1;
        var hit = await prober.WaitForAsync(b => b == node1.Name, configuredAt, bound + SettleTimeout);
        var problem = hit is null ? $"the client was never served by node1" : await demo.WaitForMasterAsync(node1, SettleTimeout, cancellationToken);
        var ready = hit is null ? Stopwatch.GetElapsedTime(configuredAt) : Stopwatch.GetElapsedTime(configuredAt, hit.SentAt);
        var passed = problem is null && ready <= bound;
        await RecordAsync(new StepResult("vip-on-node1", "-", node1.Name, ready, bound, passed,
            problem ?? "(from configuring the VHIDs until the page said node1)", Measure: "ready"));
    }

    /// <param name="bound">Bound on the client-visible downtime.</param>
    /// <param name="switchBound">When set, also a bound on the time from the event until the client is served by <paramref name="to"/>.</param>
    /// <param name="verify">Extra checks once settled; returns what is wrong, or null.</param>
    private async Task StepAsync(
        string name,
        DemoNode from,
        DemoNode to,
        TimeSpan bound,
        TimeSpan? switchBound,
        Func<Task> action,
        Func<Task<string?>>? verify,
        CancellationToken cancellationToken,
        bool requireSingleVip = true)
    {
        var problems = new List<string>();
        _notes.Clear();
        var start = Stopwatch.GetTimestamp();
        try
        {
            await action();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            problems.Add($"{name}: {ex.Message}");
        }
        var switchTimeout = (switchBound ?? TimeSpan.FromSeconds(10)) + SettleTimeout;
        var hit = await prober.WaitForAsync(b => b == to.Name, start, switchTimeout);
        TimeSpan switchedAfter;
        if (hit is null)
        {
            switchedAfter = Stopwatch.GetElapsedTime(start);
            problems.Add($"the client was not served by {to.Name} within {switchTimeout.TotalSeconds:0} s");
        }
        else
        {
            switchedAfter = Stopwatch.GetElapsedTime(start, hit.SentAt);
            if (switchBound is { } limit && switchedAfter > limit)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{to.Name} served only after {switchedAfter.TotalMilliseconds:0} ms (bound {limit.TotalMilliseconds:0} ms)"));
            }
        }

        if (await demo.WaitForMasterAsync(to, SettleTimeout, cancellationToken, requireSingleVip) is { } notSettled)
        {
            problems.Add("not settled: " + notSettled);
        }
        if (verify is not null && await verify() is { } wrong)
        {
            problems.Add(wrong);
        }

        // Let the requests around the switch finish, then measure, and make sure the client stays on the new node.
        var settledAt = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromMilliseconds(500) + RequestTimeout, cancellationToken);
        var end = Stopwatch.GetTimestamp() - (long)(RequestTimeout.TotalSeconds * Stopwatch.Frequency);
        var gap = prober.Gap(start, end);
        var strays = prober.Results.Count(r => r.Succeeded && r.SentAt > settledAt && r.SentAt <= end && r.Body != to.Name);
        if (strays > 0)
        {
            problems.Add($"{strays} requests were still served by another node after settling");
        }
        if (gap.Gap > bound)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"downtime {gap.Gap.TotalMilliseconds:0} ms over the bound"));
        }
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"(switched after {switchedAfter.TotalMilliseconds:0} ms, {gap.Failed} of {gap.Requests} requests failed{string.Concat(_notes.Select(n => "; " + n))})");
        await RecordAsync(new StepResult(name, from.Name, to.Name, gap.Gap, bound, problems.Count == 0,
            problems.Count == 0 ? detail : detail + " " + string.Join("; ", problems)));
    }

    private async Task RecordAsync(StepResult result)
    {
        // Transitions that led here print first.
        await printer.FlushAsync();
        _results.Add(result);
        console.WriteLine(result.Format(_results.Count, _count));
    }
}
