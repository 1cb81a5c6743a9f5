using System.Collections.Concurrent;
using Appliance.Engine.Hosting;
using Appliance.Web.Services;

namespace Appliance.Web.Hosting;

/// <summary>
/// Starts the engine on the stored configuration and stops it gracefully: every VHID bows out (its VIP
/// released once a peer claims it) while the <see cref="StatusFeed"/> still records, so the shutdown
/// transitions reach the history and the clients like any other. Registered after the feed, so it
/// starts after the feed subscribed and stops before the feed does.
/// </summary>
public sealed partial class EngineLifecycleService(
    ICarpEngine engine,
    EngineConfigurator configurator,
    StatusFeed feed,
    HealthService health,
    TimeProvider timeProvider,
    ILogger<EngineLifecycleService> logger) : BackgroundService
{
    /// <summary>How long a stop waits for the engine's last events (shutdown transitions) to be recorded.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _pendingRemovals = new(StringComparer.Ordinal);
    /// <summary>Set once the start-up apply finished: a stop during start must see the VHIDs it started.</summary>
    private readonly TaskCompletionSource _initialApply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        feed.Removed += OnRemoved;
        try
        {
            await configurator.ApplyAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            _initialApply.TrySetResult();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (ExecuteTask is not null)
            {
                await _initialApply.Task.WaitAsync(DrainTimeout, timeProvider, cancellationToken).ConfigureAwait(false);
            }
            var removed = engine.Snapshot()
                .Select(s => _pendingRemovals.GetOrAdd(s.Key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task)
                .ToList();
            await engine.ApplyAsync([], cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(removed).WaitAsync(DrainTimeout, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException or InvalidOperationException)
        {
            LogStopIncomplete(ex.Message);
        }
        finally
        {
            feed.Removed -= OnRemoved;
        }
        // The checks stop after the VHIDs: lifting a demotion earlier could make a demoted backup preempt on its way out.
        await health.StopAsync().ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A removal recorded by the feed (so its last transition is in the history): the stop may go on.</summary>
    private void OnRemoved(string key)
    {
        if (_pendingRemovals.TryRemove(key, out var pending))
        {
            pending.TrySetResult();
        }
    }
}
