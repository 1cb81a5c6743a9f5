namespace Appliance.Engine.Health;

/// <summary>The real probes, chosen by <see cref="HealthCheckConfig.Kind"/>.</summary>
public sealed class HealthProbe : IHealthProbe, IDisposable
{
    private readonly HttpHealthProbe _http = new();
    private readonly TcpHealthProbe _tcp = new();
    private readonly CommandHealthProbe _command = new();

    public Task<HealthProbeResult> ProbeAsync(HealthCheckConfig check, CancellationToken cancellationToken) => check.Kind switch
    {
        HealthCheckKind.Http => _http.ProbeAsync(check, cancellationToken),
        HealthCheckKind.Tcp => _tcp.ProbeAsync(check, cancellationToken),
        HealthCheckKind.Command => _command.ProbeAsync(check, cancellationToken),
        _ => Task.FromResult(HealthProbeResult.Failed($"unknown check kind {check.Kind}")),
    };

    public void Dispose() => _http.Dispose();
}
