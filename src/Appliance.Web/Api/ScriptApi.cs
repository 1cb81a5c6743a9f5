using Appliance.Engine.Scripts;
using Appliance.Web.Auth;
using Appliance.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Web.Api;

/// <summary>
/// GET /api/scripts: the entries of <c>Appliance:ScriptsDirectory</c>, sorted by name, each with whether up/down
/// scripts and command checks may name it and, when not, why ("writable by group or others", "owned by uid 1000").
/// An empty list when the directory does not exist.
/// </summary>
public static class ScriptApi
{
    public static IEndpointRouteBuilder MapScriptApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/scripts", List).WithTags("Scripts")
            .RequireAuthorization(AppliancePolicies.Admin)
            .Describe("listScripts", "The scripts up/down scripts and command checks may name");
        return endpoints;
    }

    public static Ok<IReadOnlyList<ScriptStatus>> List(ScriptCatalog scripts) => TypedResults.Ok(scripts.List());
}
