using System.Text.Json;
using Appliance.Web.Services;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Appliance.Web.Api;

public sealed record HealthResponse(string Status);

/// <summary>
/// GET /healthz, anonymous, through ASP.NET Core health checks: {"status": "healthy"} when the store answers and
/// the last apply succeeded, "degraded" (still 200) after a failed apply, "unhealthy" (503) when the store fails.
/// Details (the apply error) stay behind the login: anonymous callers only learn the word.
/// </summary>
public static class HealthApi
{
    public const string Path = "/healthz";

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(Path, new HealthCheckOptions
        {
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
            ResponseWriter = WriteAsync,
        }).AllowAnonymous();
        return endpoints;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var word = report.Status switch
        {
            HealthStatus.Healthy => "healthy",
            HealthStatus.Degraded => "degraded",
            _ => "unhealthy",
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, new HealthResponse(word), HealthJson.Default.HealthResponse, context.RequestAborted);
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(HealthResponse))]
internal sealed partial class HealthJson : System.Text.Json.Serialization.JsonSerializerContext;

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
