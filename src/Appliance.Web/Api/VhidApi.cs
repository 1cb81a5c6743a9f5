using System.Security.Claims;
using Appliance.Web.Auth;
using Appliance.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Web.Api;

/// <summary>/api/vhids: CRUD of the VHID configuration (applied live) and persistent maintenance.</summary>
public static class VhidApi
{
    public static IEndpointRouteBuilder MapVhidApi(this IEndpointRouteBuilder endpoints)
    {
        var reads = endpoints.MapGroup("/api/vhids").WithTags("VHIDs").RequireAuthorization(AppliancePolicies.Viewer);
        reads.MapGet("/", List).Describe("listVhids", "Configured VHIDs");
        reads.MapGet("/{id:int}", Get).Describe("getVhid", "One VHID");
        var changes = endpoints.MapGroup("/api/vhids").WithTags("VHIDs").RequireAuthorization(AppliancePolicies.Operator);
        changes.MapPost("/", Create).Describe("createVhid", "Create a VHID and apply it live");
        changes.MapPut("/{id:int}", Update).Describe("updateVhid", "Replace a VHID and apply it live");
        changes.MapDelete("/{id:int}", Delete).Describe("deleteVhid", "Delete a VHID (it bows out first)");
        changes.MapPost("/{id:int}/maintenance", EnterMaintenance).Describe("enterMaintenance", "Enter persistent maintenance: hand the VIP to a peer");
        changes.MapDelete("/{id:int}/maintenance", LeaveMaintenance).Describe("leaveMaintenance", "Leave persistent maintenance");
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
