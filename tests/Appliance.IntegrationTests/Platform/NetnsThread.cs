using System.Runtime.ExceptionServices;
using Tmds.Linux;

namespace Appliance.IntegrationTests.Platform;

/// <summary>
/// Runs a function on a fresh thread that has entered a named network namespace with setns(2). setns only
/// moves the calling thread, so sockets created inside stay in that namespace after the thread ends.
/// </summary>
internal static class NetnsThread
{
    public static T Run<T>(string namespaceName, Func<T> function)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{namespaceName}");
                if (LibC.setns((int)handle.DangerousGetHandle(), LibC.CLONE_NEWNET) != 0)
                {
                    throw new InvalidOperationException($"setns({namespaceName}) failed: errno {LibC.errno}");
                }
                result = function();
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
        })
        { IsBackground = true, Name = $"netns {namespaceName}" };
        thread.Start();
        if (!thread.Join(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException($"netns thread for {namespaceName} did not finish");
        }
        failure?.Throw();
        return result;
    }
}
