using Appliance.Web.Auth;
using System.Security.Claims;
using Appliance.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Web.Api;

/// <summary>/api/vhids: CRUD of the VHID configuration (applied live) and persistent maintenance.</summary>
public static class VhidApi
{
    public static IEndpointRouteBuilder MapVhidApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/vhids").WithTags("VHIDs");
        group.MapGet("/", List).RequireAuthorization(AppliancePolicies.Viewer).Describe("listVhids", "Configured VHIDs");
        group.MapGet("/{id:int}", Get).RequireAuthorization(AppliancePolicies.Viewer).Describe("getVhid", "One VHID");
        // Changes: operator and above.
        group = endpoints.MapGroup("/api/vhids").WithTags("VHIDs").RequireAuthorization(AppliancePolicies.Operator);
        group.MapPost("/", Create).Describe("createVhid", "Create a VHID and apply it live");
        group.MapPut("/{id:int}", Update).Describe("updateVhid", "Replace a VHID and apply it live");
        group.MapDelete("/{id:int}", Delete).Describe("deleteVhid", "Delete a VHID (it bows out first)");
        group.MapPost("/{id:int}/maintenance", EnterMaintenance).Describe("enterMaintenance", "Enter persistent maintenance: hand the VIP to a peer");
        group.MapDelete("/{id:int}/maintenance", LeaveMaintenance).Describe("leaveMaintenance", "Leave persistent maintenance");
        return endpoints;
    }

    public static Ok<IReadOnlyList<VhidDto>> List(VhidService vhids) => TypedResults.Ok(vhids.List());

    public static Results<Ok<VhidDto>, NotFound> Get(int id, VhidService vhids) =>
        vhids.Get(id) is { } vhid ? TypedResults.Ok(vhid) : TypedResults.NotFound();

    public static async Task<Results<Created<VhidDto>, ValidationProblem>> Create(
        VhidInput input, VhidService vhids, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var result = await vhids.CreateAsync(input, user.Actor(), cancellationToken).ConfigureAwait(false);
        return result.Status == ServiceStatus.Ok
            ? TypedResults.Created($"/api/vhids/{result.Value!.Id}", result.Value)
            : ApiResults.Invalid(result.Errors);
    }

    public static async Task<Results<Ok<VhidDto>, NotFound, ValidationProblem>> Update(
        int id, VhidInput input, VhidService vhids, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        ToResult(await vhids.UpdateAsync(id, input, user.Actor(), cancellationToken).ConfigureAwait(false));

    public static async Task<Results<NoContent, NotFound>> Delete(int id, VhidService vhids, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await vhids.DeleteAsync(id, user.Actor(), cancellationToken).ConfigureAwait(false) ? TypedResults.NoContent() : TypedResults.NotFound();

    public static async Task<Results<Ok<VhidDto>, NotFound, ValidationProblem>> EnterMaintenance(
        int id, VhidService vhids, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        ToResult(await vhids.SetMaintenanceAsync(id, true, user.Actor(), cancellationToken).ConfigureAwait(false));

    public static async Task<Results<Ok<VhidDto>, NotFound, ValidationProblem>> LeaveMaintenance(
        int id, VhidService vhids, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        ToResult(await vhids.SetMaintenanceAsync(id, false, user.Actor(), cancellationToken).ConfigureAwait(false));

    private static Results<Ok<VhidDto>, NotFound, ValidationProblem> ToResult(ServiceResult<VhidDto> result) => result.Status switch
    {
        ServiceStatus.Ok => TypedResults.Ok(result.Value!),
        ServiceStatus.NotFound => TypedResults.NotFound(),
        _ => ApiResults.Invalid(result.Errors),
    };
}
