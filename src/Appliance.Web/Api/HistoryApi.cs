using Appliance.Web.Auth;
using Appliance.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Web.Api;

/// <summary>/api/history?vhid=&amp;take=: transitions, newest first. Empty parameters mean "all" and the default.</summary>
public static class HistoryApi
{
    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/history", Query).WithTags("History").RequireAuthorization(AppliancePolicies.Viewer)
            .Describe("getHistory", "State transitions and demotions, newest first");
        return endpoints;
    }

    public static Results<Ok<IReadOnlyList<TransitionDto>>, ValidationProblem> Query(HistoryService history, string? vhid, string? take)
    {
        // Strings, not int?: "?vhid=&take=" (empty) is valid and means "not given".
        var errors = new ValidationErrors();
        var vhidNumber = ApiResults.OptionalInt(vhid, "vhid", errors);
        var takeNumber = ApiResults.OptionalInt(take, "take", errors);
        if (!errors.IsEmpty)
        {
            return ApiResults.Invalid(errors.ToDictionary());
        }
        var result = history.Query(vhidNumber, takeNumber);
        return result.Status == ServiceStatus.Ok ? TypedResults.Ok(result.Value!) : ApiResults.Invalid(result.Errors);
    }
}
