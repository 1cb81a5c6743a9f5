using Appliance.Engine.Hosting;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components;

/// <summary>
/// A page that follows the engine live over the circuit: subscribes to <see cref="ICarpEngine.WatchAsync"/>
/// and a one-second tick (for "how long" texts and counters) once interactive, marshals both onto the
/// renderer with InvokeAsync, hands failures to DispatchExceptionAsync, and unsubscribes on Dispose.
/// Nothing is subscribed while prerendering: that render is thrown away.
/// </summary>
public abstract class LiveComponentBase : ComponentBase, IDisposable
{
    private static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(1);
    private readonly CancellationTokenSource _stop = new();

    [Inject]
    protected ICarpEngine Engine { get; set; } = default!;

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
            _ = WatchAsync(_stop.Token);
            _ = TickAsync(_stop.Token);
        }
    }

    /// <summary>Reads the page's data (first render and whenever the page wants a refresh).</summary>
    protected abstract void Load();

    /// <summary>Called on the renderer's context for each engine event; the page re-renders afterwards.</summary>
    protected virtual void OnEngineEvent(EngineEvent engineEvent)
    {
    }

    /// <summary>Called on the renderer's context every second; the page re-renders afterwards.</summary>
    protected virtual void OnTick()
    {
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var engineEvent in Engine.WatchAsync(cancellationToken).ConfigureAwait(false))
            {
                await InvokeAsync(() =>
                {
                    OnEngineEvent(engineEvent);
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
