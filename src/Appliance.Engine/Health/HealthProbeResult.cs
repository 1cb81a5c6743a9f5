namespace Appliance.Engine.Health;

/// <summary>What one run of a check found, as a plain clause ("GET http://127.0.0.1/ returned 503, expected 200").</summary>
public sealed record HealthProbeResult(bool Success, string Description)
{
    public static HealthProbeResult Ok(string description) => new(true, description);

    public static HealthProbeResult Failed(string description) => new(false, description);
}

/// <summary>Runs one check once. Returns failures as results; throws only <see cref="OperationCanceledException"/> when cancelled.</summary>
public interface IHealthProbe
{
    Task<HealthProbeResult> ProbeAsync(HealthCheckConfig check, CancellationToken cancellationToken);
}
