namespace Appliance.Web.Services;

/// <summary>
/// The in-process twin of the SignalR hub for the Blazor dashboard: the same DTOs, raised by the engine
/// host the moment a transition is recorded or a status changes. Handlers run on the engine host's
/// loop: components marshal with InvokeAsync and unsubscribe in Dispose. A throwing handler is isolated.
/// </summary>
public sealed partial class StateFeed(ILogger<StateFeed> logger)
{
    public event Action<TransitionDto>? Transition;
    public event Action<VhidStatusDto>? Status;
    public event Action<string>? Removed;

    internal void Publish(TransitionDto transition) => Raise(Transition, transition);

    internal void Publish(VhidStatusDto status) => Raise(Status, status);

    internal void PublishRemoved(string key) => Raise(Removed, key);

    private void Raise<T>(Action<T>? handlers, T value)
    {
        if (handlers is null)
        {
            return;
        }
        foreach (var handler in handlers.GetInvocationList().Cast<Action<T>>())
        {
            try
            {
                handler(value);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // One broken dashboard circuit must not stop the others (or the engine host) from hearing.
                LogHandlerFailed(ex);
            }
        }
    }
}
