using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Appliance.Lab;

/// <summary>
/// Creates sockets inside a network namespace from anywhere in the process: one long-lived thread
/// has entered the namespace (setns) and makes each socket on request. A socket belongs to the
/// namespace it was created in for its whole life, so an <see cref="HttpClient"/> whose connect
/// callback uses this factory talks to the lab, never to the host's own network.
/// </summary>
public sealed class NetnsSocketFactory : IDisposable
{
    private readonly BlockingCollection<(AddressFamily Family, SocketType Type, ProtocolType Protocol, TaskCompletionSource<Socket> Result)> _requests = new();
    private readonly Thread _thread;

    public NetnsSocketFactory(string namespaceName)
    {
        NamespaceName = namespaceName;
        var path = Path.Combine("/var/run/netns", namespaceName);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"network namespace {namespaceName} does not exist ({path})");
        }
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _thread = new Thread(() =>
        {
            try
            {
                using (SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read))
                {
                    if (LibC.setns((int)handle.DangerousGetHandle(), LibC.CLONE_NEWNET) != 0)
                    {
                        throw new InvalidOperationException($"setns({path}) failed: errno {Marshal.GetLastPInvokeError()}");
                    }
                }
                entered.SetResult();
            }
            catch (Exception ex)
            {
                entered.SetException(ex);
                return;
            }
            foreach (var (family, type, protocol, result) in _requests.GetConsumingEnumerable())
            {
                try
                {
                    result.SetResult(new Socket(family, type, protocol));
                }
                catch (SocketException ex)
                {
                    result.SetException(ex);
                }
            }
        })
        {
            IsBackground = true,
            Name = $"netns sockets {namespaceName}",
        };
        _thread.Start();
        entered.Task.GetAwaiter().GetResult();
    }

    public string NamespaceName { get; }

    public Task<Socket> CreateAsync(AddressFamily family, SocketType type, ProtocolType protocol)
    {
        var result = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests.Add((family, type, protocol, result));
        return result.Task;
    }

    /// <summary>An HttpClient whose every connection is made from inside the namespace (one connection per request).</summary>
    public HttpClient CreateHttpClient(TimeSpan timeout, System.Net.Security.RemoteCertificateValidationCallback? validateCertificate = null)
    {
        var handler = new SocketsHttpHandler
        {
            // For https:// (a node's self-signed certificate): the caller pins what it trusts; unset, the system's roots.
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions { RemoteCertificateValidationCallback = validateCertificate },
            // A fresh connection per request: a failover test must see the VIP's new owner at once,
            // not a kept-alive connection to the old one.
            PooledConnectionLifetime = TimeSpan.Zero,
            PooledConnectionIdleTimeout = TimeSpan.Zero,
            MaxConnectionsPerServer = 1024,
            UseProxy = false,
            ConnectTimeout = timeout,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = await CreateAsync(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp).ConfigureAwait(false);
                try
                {
                    socket.NoDelay = true;
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = timeout };
    }

    public void Dispose()
    {
        _requests.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(5));
        _requests.Dispose();
    }
}
