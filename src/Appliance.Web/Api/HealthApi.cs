using Appliance.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Appliance.Web.Api;

public sealed record HealthResponse(string Status);

/// <summary>
/// GET /healthz, anonymous, from ASP.NET Core's health checks (<see cref="StoreHealthCheck"/>, <see cref="ApplyHealthCheck"/>):
/// "healthy" when the store answers and the last apply succeeded, "degraded" (still 200) after a failed apply,
/// "unhealthy" (503) when the store fails. Details (the apply error) stay behind the login: anonymous callers only learn the word.
/// </summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", GetAsync).AllowAnonymous().WithTags("Health")
            .Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable)
            .Describe("getHealth", "Health of the store and the last apply (anonymous)");
        return endpoints;
    }

    public static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> GetAsync(HealthCheckService checks, CancellationToken cancellationToken)
    {
        var report = await checks.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        return report.Status switch
        {
            HealthStatus.Healthy => TypedResults.Ok(new HealthResponse("healthy")),
            HealthStatus.Degraded => TypedResults.Ok(new HealthResponse("degraded")),
            _ => TypedResults.Json(new HealthResponse("unhealthy"), statusCode: StatusCodes.Status503ServiceUnavailable),
        };
    }
}

/// <summary>The store answers a read.</summary>
public sealed class StoreHealthCheck(VhidService vhids) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            _ = vhids.List();
            return Task.FromResult(HealthCheckResult.Healthy());
        }
        catch (LiteDB.LiteException ex)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("the store failed", ex));
        }
    }
}

/// <summary>The last apply of the stored configuration to the engine succeeded.</summary>
public sealed class ApplyHealthCheck(EngineConfigurator configurator) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(configurator.LastError is { } error ? HealthCheckResult.Degraded(error) : HealthCheckResult.Healthy());
}
