using Appliance.Web.Auth;
using Appliance.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Web.Api;

/// <summary>/api/audit?take=: configuration changes, newest first (never a password).</summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/audit", Query).WithTags("Audit").RequireAuthorization(AppliancePolicies.Admin)
            .Describe("getAudit", "Configuration changes, newest first");
        return endpoints;
    }

    public static Results<Ok<IReadOnlyList<AuditEntryDto>>, ValidationProblem> Query(AuditService audit, string? take)
    {
        var errors = new ValidationErrors();
        var number = ApiResults.OptionalInt(take, "take", errors);
        if (number is < 1 or > 10_000)
        {
            errors.Add("take", "take must be between 1 and 10000.");
        }
        return errors.IsEmpty ? TypedResults.Ok(audit.Query(number ?? 100)) : ApiResults.Invalid(errors.ToDictionary());
    }
}
