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
    IHubContext<StateHub, IStateClient> hub,
    IOptions<ApplianceOptions> options,
    TimeProvider timeProvider,
    ILogger<EngineHostService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Subscribe before the first apply so the start-up transitions (INIT -> BACKUP) are recorded too:
        // the first MoveNextAsync runs the subscription synchronously up to its first await.
        var events = engine.WatchAsync(stoppingToken).GetAsyncEnumerator(stoppingToken);
        var next = events.MoveNextAsync();
        await configurator.ApplyAsync(stoppingToken).ConfigureAwait(false);
        var trimming = TrimLoopAsync(stoppingToken);
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
                    await hub.Clients.All.Transition(dto).ConfigureAwait(false);
                    break;
                case EngineEvent.StatusChanged changed:
                    await hub.Clients.All.Status(status.ToDto(changed.Status)).ConfigureAwait(false);
                    break;
                case EngineEvent.Removed removed:
                    await hub.Clients.All.Removed(removed.Key).ConfigureAwait(false);
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

    [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "Recording or pushing an engine event failed")]
    private partial void LogEventFailed(Exception exception);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "History trimmed: {Count} entries removed")]
    private partial void LogTrimmed(int count);

    [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "Trimming the history failed")]
    private partial void LogTrimFailed(Exception exception);
}
