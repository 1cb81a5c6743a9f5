using Appliance.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Web.Api;

public sealed record HealthResponse(string Status);

/// <summary>GET /healthz, anonymous: "healthy" when the store answers and the last apply succeeded.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", Get).AllowAnonymous().WithTags("Health")
            .Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable)
            .Describe("getHealth", "Health of the store and the last apply (anonymous)");
        return endpoints;
    }

    public static Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>> Get(VhidService vhids, EngineConfigurator configurator)
    {
        try
        {
            _ = vhids.List();
        }
        catch (LiteDB.LiteException)
        {
            return TypedResults.Json(new HealthResponse("unhealthy"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        // Details (the apply error) stay behind the login; anonymous callers only learn "degraded".
        return TypedResults.Ok(new HealthResponse(configurator.LastError is null ? "healthy" : "degraded"));
    }
}
