using System.Net.Sockets;

namespace Appliance.Engine.Health;

/// <summary>A TCP connect, closed at once.</summary>
public sealed class TcpHealthProbe : IHealthProbe
{
    public async Task<HealthProbeResult> ProbeAsync(HealthCheckConfig check, CancellationToken cancellationToken)
    {
        if (!TcpTarget.TryParse(check.Target, out var host, out var port))
        {
            return HealthProbeResult.Failed($"'{check.Target}' is not host:port");
        }
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            return HealthProbeResult.Ok($"connected to {check.Target}");
        }
        catch (SocketException ex)
        {
            return HealthProbeResult.Failed($"connect to {check.Target} failed: {ex.Message}");
        }
    }
}
