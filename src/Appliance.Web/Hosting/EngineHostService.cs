using System.Collections.Concurrent;
using Appliance.Engine.Hosting;
using Appliance.Web.Auth;
using Appliance.Web.Hubs;
using Appliance.Web.Services;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Appliance.Web.Hosting;

/// <summary>
/// Drives the engine from the store: applies the stored configuration at start, records every
/// transition in the history, forwards transitions and status changes to the hub, and trims the
/// history (and expired tokens) periodically.
/// </summary>
public sealed partial class EngineHostService(
    ICarpEngine engine,
    EngineConfigurator configurator,
    HistoryService history,
    StatusService status,
    TokenService tokens,
    TransitionCounter counter,
    StateFeed feed,
    HealthService health,
    IHubContext<StateHub, IStateClient> hub,
    IOptions<ApplianceOptions> options,
    TimeProvider timeProvider,
    ILogger<EngineHostService> logger) : BackgroundService
{
    /// <summary>How long a stop waits for the engine's last events (shutdown transitions) to be recorded.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _pendingRemovals = new(StringComparer.Ordinal);
    /// <summary>Set once the start-up apply finished: a stop during start must see the VHIDs it started.</summary>
    private readonly TaskCompletionSource _initialApply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Stops every VHID gracefully (bow-out, VIP released once a peer claims it) while still watching,
    /// so the shutdown transitions are recorded in the history and pushed like any other.
    /// </summary>
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
        // The checks stop after the VHIDs: lifting a demotion earlier could make a demoted backup preempt on its way out.
        await health.StopAsync().ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Subscribe before the first apply so the start-up transitions (INIT -> BACKUP) are recorded too:
        // the first MoveNextAsync runs the subscription synchronously up to its first await.
        var events = engine.WatchAsync(stoppingToken).GetAsyncEnumerator(stoppingToken);
        var next = events.MoveNextAsync();
        try
        {
            await configurator.ApplyAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            _initialApply.TrySetResult();
        }
        var trimming = TrimLoopAsync(stoppingToken);
        var notices = HealthNoticeLoopAsync(stoppingToken);
        try
        {
            while (await next.ConfigureAwait(false))
            {
                await HandleAsync(events.Current).ConfigureAwait(false);
                next = events.MoveNextAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await events.DisposeAsync().ConfigureAwait(false);
            await trimming.ConfigureAwait(false);
            await notices.ConfigureAwait(false);
        }
    }

    /// <summary>Pushes what the health checks changed: demotion entries (already in the history) and the VHID's status.</summary>
    private async Task HealthNoticeLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var notice in health.Notices.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    if (notice.Entry is { } entry)
                    {
                        feed.Publish(entry);
                        await hub.Clients.All.Transition(entry).ConfigureAwait(false);
                    }
                    if (status.Get(notice.Key) is { } current)
                    {
                        feed.Publish(current);
                        await hub.Clients.All.Status(current).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogEventFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task HandleAsync(EngineEvent engineEvent)
    {
        try
        {
            switch (engineEvent)
            {
                case EngineEvent.Transitioned transitioned:
                    var dto = history.Append(transitioned.Transition);
                    counter.Increment(dto.Key);
                    feed.Publish(dto);
                    await hub.Clients.All.Transition(dto).ConfigureAwait(false);
                    break;
                case EngineEvent.StatusChanged changed:
                    var statusDto = status.ToDto(changed.Status);
                    feed.Publish(statusDto);
                    await hub.Clients.All.Status(statusDto).ConfigureAwait(false);
                    break;
                case EngineEvent.Removed removed:
                    feed.PublishRemoved(removed.Key);
                    await hub.Clients.All.Removed(removed.Key).ConfigureAwait(false);
                    if (_pendingRemovals.TryRemove(removed.Key, out var pending))
                    {
                        pending.TrySetResult();
                    }
                    break;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // One failed push or write must not stop the recording of the next transitions.
            LogEventFailed(ex);
        }
    }

    private async Task TrimLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HistoryTrimInterval, timeProvider);
        do
        {
            try
            {
                var trimmed = history.Trim();
                tokens.DeleteExpired();
                if (trimmed > 0)
                {
                    LogTrimmed(trimmed);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogTrimFailed(ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
