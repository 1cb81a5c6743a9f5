using Appliance.Web.Services;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components;

/// <summary>
/// A page that follows the engine live over the circuit: subscribes to the <see cref="StatusFeed"/> (raised
/// once a transition is recorded, so the history already holds it) and a one-second tick (for the "how
/// long" texts and counters) once interactive, marshals both onto the renderer with InvokeAsync, hands
/// failures to DispatchExceptionAsync, and unsubscribes on Dispose. Nothing is subscribed while
/// prerendering: that render is thrown away.
/// </summary>
public abstract class LiveComponentBase : ComponentBase, IDisposable
{
    private static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(1);
    private readonly CancellationTokenSource _stop = new();

    [Inject]
    protected StatusFeed Feed { get; set; } = default!;

    [Inject]
    protected TimeProvider Time { get; set; } = default!;

    [Inject]
    protected DashboardNode Node { get; set; } = default!;

    /// <summary>The node's clock now.</summary>
    protected DateTimeOffset Now => Time.GetUtcNow();

    protected TimeZoneInfo Zone => Time.LocalTimeZone;

    protected override void OnInitialized()
    {
        Load();
        if (RendererInfo.IsInteractive)
        {
            Feed.Transition += OnFeedTransition;
            Feed.Status += OnFeedStatus;
            Feed.Removed += OnFeedRemoved;
            _ = TickAsync(_stop.Token);
        }
    }

    /// <summary>Reads the page's data (first render and whenever the page wants a refresh).</summary>
    protected abstract void Load();

    /// <summary>A recorded transition, on the renderer's context; the page re-renders afterwards.</summary>
    protected virtual void OnTransition(TransitionDto transition)
    {
    }

    /// <summary>A status change (state, peer, maintenance, message), on the renderer's context.</summary>
    protected virtual void OnStatus(VhidStatusDto status)
    {
    }

    /// <summary>A VHID left the configuration, on the renderer's context.</summary>
    protected virtual void OnRemoved(string key)
    {
    }

    /// <summary>Called on the renderer's context every second; the page re-renders afterwards.</summary>
    protected virtual void OnTick()
    {
    }

    public void Dispose()
    {
        Feed.Transition -= OnFeedTransition;
        Feed.Status -= OnFeedStatus;
        Feed.Removed -= OnFeedRemoved;
        _stop.Cancel();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    private void OnFeedTransition(TransitionDto transition) => Marshal(() => OnTransition(transition));

    private void OnFeedStatus(VhidStatusDto status) => Marshal(() => OnStatus(status));

    private void OnFeedRemoved(string key) => Marshal(() => OnRemoved(key));

    /// <summary>Feed handlers run on the engine host's loop: hop onto the renderer, never block the feed.</summary>
    private void Marshal(Action update) => _ = MarshalAsync(update);

    private async Task MarshalAsync(Action update)
    {
        try
        {
            await InvokeAsync(() =>
            {
                update();
                StateHasChanged();
            }).ConfigureAwait(false);
        }
        catch (ObjectDisposedException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            await DispatchExceptionAsync(ex).ConfigureAwait(false);
        }
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(TickInterval, Time);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await InvokeAsync(() =>
                {
                    OnTick();
                    StateHasChanged();
                }).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException)
        {
        }
        catch (Exception ex)
        {
            await DispatchExceptionAsync(ex).ConfigureAwait(false);
        }
    }
}
