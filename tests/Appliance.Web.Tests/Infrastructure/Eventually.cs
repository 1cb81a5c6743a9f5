namespace Appliance.Web.Tests.Infrastructure;

internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> every 20 ms until true or the timeout, then fails with <paramref name="what"/>.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TestHost.Timeout);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition().WaitAsync(TestHost.Timeout))
            {
                return;
            }
            await Task.Delay(20);
        }
        Assert.Fail($"timed out waiting for {what}");
    }
}
