using System.Security.Claims;
using Appliance.Web.Auth;
using Appliance.Web.Services;
using Appliance.Web.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Web.Api;

/// <summary>/api/settings: runtime settings (history retention).</summary>
public static class SettingsApi
{
    public static IEndpointRouteBuilder MapSettingsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/settings").WithTags("Settings").RequireAuthorization(AppliancePolicies.Admin);
        group.MapGet("/", Get).Describe("getSettings", "Runtime settings");
        group.MapPut("/", Update).Describe("updateSettings", "Replace the runtime settings");
        return endpoints;
    }

    public static Ok<ApplianceSettings> Get(SettingsService settings) => TypedResults.Ok(settings.Get());

    public static Results<Ok<ApplianceSettings>, ValidationProblem> Update(ApplianceSettings input, SettingsService settings, ClaimsPrincipal user)
    {
        var result = settings.Update(input, user.Actor());
        return result.Status == ServiceStatus.Ok ? TypedResults.Ok(result.Value!) : ApiResults.Invalid(result.Errors);
    }
}
