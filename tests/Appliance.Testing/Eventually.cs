namespace Appliance.Testing;

/// <summary>Polling for what real threads, processes or sockets do; under a fake clock, advance it instead.</summary>
public static class Eventually
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <summary>Polls <paramref name="condition"/> every 20 ms until true or the timeout, then fails with <paramref name="what"/>.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TestTimeouts.Default);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition().WaitAsync(TestTimeouts.Default))
            {
                return;
            }
            await Task.Delay(Poll);
        }
        Assert.Fail($"timed out waiting for {what}");
    }

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout);
}
