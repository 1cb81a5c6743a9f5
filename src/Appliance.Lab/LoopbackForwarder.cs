using System.Net;
using System.Net.Sockets;

namespace Appliance.Lab;

/// <summary>
/// Makes a port inside a lab namespace reachable from the host's browser: listens on 127.0.0.1:<c>localPort</c>
/// in the host namespace and pipes each connection to 127.0.0.1:<c>targetPort</c> inside the namespace
/// (the socket is made there by <see cref="NetnsSocketFactory"/>). Loopback on both sides: nothing
/// leaves the machine, and nothing in the lab is exposed beyond this machine.
/// </summary>
public sealed class LoopbackForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly NetnsSocketFactory _sockets;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;

    public LoopbackForwarder(int localPort, string namespaceName, int targetPort)
    {
        _sockets = new NetnsSocketFactory(namespaceName);
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, localPort);
        _listener.Start();
        LocalPort = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accept = Task.Run(AcceptAsync);
    }

    public int LocalPort { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _accept.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _sockets.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => PipeAsync(client));
        }
    }

    private async Task PipeAsync(Socket client)
    {
        using (client)
        {
            using var upstream = await _sockets.CreateAsync(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp).ConfigureAwait(false);
            try
            {
                await upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _targetPort), _stop.Token).ConfigureAwait(false);
                using var a = new NetworkStream(client, ownsSocket: false);
                using var b = new NetworkStream(upstream, ownsSocket: false);
                var up = a.CopyToAsync(b, _stop.Token);
                var down = b.CopyToAsync(a, _stop.Token);
                await Task.WhenAny(up, down).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException)
            {
                // A closed browser tab or a stopped node: drop the connection.
            }
        }
    }
}
