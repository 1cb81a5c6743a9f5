namespace Appliance.Web.Hosting;

/// <summary>
/// A chore that runs at start and then every <see cref="Interval"/> on the node's <see cref="TimeProvider"/>
/// (tests advance a fake one). A failed run is logged by <see cref="OnFailed"/> and the next one still comes.
/// </summary>
public abstract class PeriodicService(TimeProvider timeProvider) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    protected abstract void RunOnce();

    protected abstract void OnFailed(Exception exception);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, timeProvider);
        do
        {
            try
            {
                RunOnce();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                OnFailed(ex);
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
