using System.Globalization;

namespace Appliance.Demo;

/// <summary>
/// Prints both nodes' CARP transitions (and their other history entries: carrier lost or back, demotions) as they happen, in the seed's syslog style
/// (<c>Nov 26 10:43:59 node1 appliance: [WARNING] Switching to state: MASTER</c>), by polling
/// each node's GET /api/history every 200 ms. A node whose appliance is down is simply skipped; its
/// transitions are in its store and show up once it answers again.
/// </summary>
internal sealed class TransitionPrinter : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private readonly DemoConsole _console;
    private readonly IReadOnlyList<DemoNode> _nodes;
    private readonly Dictionary<DemoNode, long> _lastSeen = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _pollGate = new(1, 1);
    private readonly Task _loop;

    public TransitionPrinter(DemoConsole console, IReadOnlyList<DemoNode> nodes)
    {
        _console = console;
        _nodes = nodes;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The syslog line of one transition; the time is the node's, shown in local time.</summary>
    public static string Format(string host, Transition transition)
    {
        var at = transition.At.ToLocalTime();
        // syslog's "%b %e %T": the day is space-padded to two characters.
        // What ends a problem (a carrier back, a demotion cleared) is news, not a warning.
        var level = transition.Kind is "carrierRestored" or "demotionCleared" ? "INFO" : "WARNING";
        return string.Create(CultureInfo.InvariantCulture, $"{at:MMM} {at.Day,2} {at:HH:mm:ss} {host} appliance: [{level}] {transition.LogLine}");
    }

    /// <summary>Polls both nodes now, so transitions that already happened print before what follows.</summary>
    public async Task FlushAsync()
    {
        foreach (var node in _nodes)
        {
            await PollAsync(node);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        _pollGate.Dispose();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(PollInterval);
        try
        {
            do
            {
                foreach (var node in _nodes)
                {
                    await PollAsync(node);
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private async Task PollAsync(DemoNode node)
    {
        if (!node.ApplianceRunning)
        {
            return;
        }
        // One poll at a time (the loop and FlushAsync), so no line prints twice.
        try
        {
            await _pollGate.WaitAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        try
        {
            var history = await node.Api.GetHistoryAsync(DemoLab.Vhid, 50, _stop.Token);
            var last = _lastSeen.GetValueOrDefault(node);
            foreach (var transition in history.Where(t => t.Id > last).OrderBy(t => t.Id))
            {
                _console.WriteLine(Format(node.Name, transition));
                _lastSeen[node] = transition.Id;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !_stop.IsCancellationRequested))
        {
            // Not answering (killed, restarting): its transitions show once it answers again.
        }
        finally
        {
            _pollGate.Release();
        }
    }
}
