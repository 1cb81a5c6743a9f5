using Appliance.Web.Auth;
using Appliance.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Web.Api;

/// <summary>/api/status: the engine's live view per VHID.</summary>
public static class StatusApi
{
    public static IEndpointRouteBuilder MapStatusApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/status", GetAll).WithTags("Status").RequireAuthorization(AppliancePolicies.Viewer)
            .Describe("getStatus", "Live state of every VHID");
        return endpoints;
    }

    public static Ok<IReadOnlyList<VhidStatusDto>> GetAll(StatusFeed feed) => TypedResults.Ok(feed.Snapshot());
}
