using System.Diagnostics;

namespace Appliance.Testing;

/// <summary>Polling for what real threads, processes or sockets do; under a fake clock, advance it instead.</summary>
public static class Eventually
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Polls <paramref name="condition"/> every 20 ms until true and returns how long that took; fails naming
    /// <paramref name="what"/> after the timeout.
    /// </summary>
    public static async Task<TimeSpan> TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TestTimeouts.Default;
        var clock = Stopwatch.StartNew();
        while (!await condition().WaitAsync(TestTimeouts.Default))
        {
            if (clock.Elapsed > limit)
            {
                Assert.Fail($"timed out after {limit} waiting for {what}");
            }
            await Task.Delay(Poll);
        }
        return clock.Elapsed;
    }

    public static Task<TimeSpan> TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout);
}
