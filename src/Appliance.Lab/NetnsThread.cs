using System.Runtime.ExceptionServices;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Appliance.Lab;

/// <summary>
/// Runs code inside a lab namespace: a fresh dedicated thread enters the namespace with
/// setns(2) and runs the delegate. Sockets created there belong to that namespace for their
/// whole life and may be used from any thread afterwards (e.g. a raw socket to inject forged
/// packets). The thread ends after the delegate, so no pooled thread is ever left in the
/// namespace.
/// </summary>
public static class NetnsThread
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="func"/> in namespace <paramref name="namespaceName"/> and returns its result.</summary>
    public static T Run<T>(string namespaceName, Func<T> func, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(func);
        var path = Path.Combine("/var/run/netns", namespaceName);
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                if (!File.Exists(path))
                {
                    throw new InvalidOperationException($"network namespace {namespaceName} does not exist ({path})");
                }
                using (SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read))
                {
                    var fd = (int)handle.DangerousGetHandle();
                    if (LibC.setns(fd, LibC.CLONE_NEWNET) != 0)
                    {
                        throw new InvalidOperationException($"setns({path}) failed, errno {LibC.errno}");
                    }
                }

                result = func();
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
        })
        {
            IsBackground = true,
            Name = $"netns {namespaceName}",
        };
        thread.Start();
        var limit = timeout ?? DefaultTimeout;
        if (!thread.Join(limit))
        {
            throw new TimeoutException($"Delegate in namespace {namespaceName} did not finish within {limit}.");
        }

        // The delegate's own exception, with its original stack (tests assert on its type).
        failure?.Throw();

        return result;
    }

    /// <summary>Runs <paramref name="action"/> in namespace <paramref name="namespaceName"/>.</summary>
    public static void Run(string namespaceName, Action action, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        Run(namespaceName, () =>
        {
            action();
            return true;
        }, timeout);
    }

    /// <summary><see cref="Run{T}"/> without blocking the caller.</summary>
    public static Task<T> RunAsync<T>(string namespaceName, Func<T> func, TimeSpan? timeout = null) =>
        Task.Run(() => Run(namespaceName, func, timeout));
}
