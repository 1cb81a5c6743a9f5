using System.Threading.Channels;
using Appliance.Engine.Diagnostics;
using Appliance.Web.Services;
using Microsoft.AspNetCore.SignalR;

namespace Appliance.Web.Hubs;

/// <summary>
/// Pushes what the <see cref="StatusFeed"/> raises to every connection of /hubs/state, in the feed's order.
/// The feed's handlers only queue (bounded: a stalled hub loses the oldest pushes, never the feed's time).
/// </summary>
public sealed partial class HubPusher(StatusFeed feed, IHubContext<StateHub, IStateClient> hub, ILogger<HubPusher> logger) : BackgroundService
{
    private readonly Channel<Func<IStateClient, Task>> _queue = Channel.CreateBounded<Func<IStateClient, Task>>(new BoundedChannelOptions(4096)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        feed.Transition += OnTransition;
        feed.Status += OnStatus;
        feed.Removed += OnRemoved;
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        feed.Transition -= OnTransition;
        feed.Status -= OnStatus;
        feed.Removed -= OnRemoved;
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var push in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await push(hub.Clients.All).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPushFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void OnTransition(TransitionDto transition) => _queue.Writer.TryWrite(clients => clients.Transition(transition));

    private void OnStatus(VhidStatusDto status) => _queue.Writer.TryWrite(clients => clients.Status(status));

    private void OnRemoved(string key) => _queue.Writer.TryWrite(clients => clients.Removed(key));

    [LoggerMessage(EventId = LogEventIds.WebHubs + 1, Level = LogLevel.Error, Message = "Pushing to the hub's clients failed")]
    private partial void LogPushFailed(Exception exception);
}
