using Appliance.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Web.Api;

/// <summary>/api/history?vhid=&amp;take=: transitions, newest first.</summary>
public static class HistoryApi
{
    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/history", Query).WithTags("History");
        return endpoints;
    }

    public static Results<Ok<IReadOnlyList<TransitionDto>>, ValidationProblem> Query(HistoryService history, int? vhid, int? take)
    {
        var result = history.Query(vhid, take);
        return result.Status == ServiceStatus.Ok ? TypedResults.Ok(result.Value!) : ApiResults.Invalid(result.Errors);
    }
}
