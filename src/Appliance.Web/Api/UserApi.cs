using System.Security.Claims;
using Appliance.Engine.Diagnostics;
using Appliance.Web.Auth;
using Appliance.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Web.Api;

public sealed record CreateUserRequest(string? Username, string? Password, string? Role)
{
    /// <summary>The secret shows as ***.</summary>
    public override string ToString() => Redaction.Print(this);
}

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword)
{
    /// <summary>The secret shows as ***.</summary>
    public override string ToString() => Redaction.Print(this);
}

/// <summary>
/// /api/users (admin only: create with a role, list, change role/disabled/password, delete) and
/// /api/account/password (every user, their own). Passwords go in, never come out.
/// </summary>
public static class UserApi
{
    public static IEndpointRouteBuilder MapUserApi(this IEndpointRouteBuilder endpoints)
    {
        var users = endpoints.MapGroup("/api/users").WithTags("Users").RequireAuthorization(AppliancePolicies.Admin);
        users.MapGet("/", List).Describe("listUsers", "Users and their roles");
        users.MapPost("/", Create).Describe("createUser", "Create a user with a role (viewer, operator, admin)");
        users.MapPut("/{username}", Update).Describe("updateUser", "Change a user's role, disabled flag or password (ends their tokens)");
        users.MapDelete("/{username}", Delete).Describe("deleteUser", "Delete a user (ends their tokens)");
        endpoints.MapPost("/api/account/password", ChangePassword).WithTags("Users").RequireAuthorization(AppliancePolicies.Viewer)
            .Describe("changePassword", "Change the logged-in user's password");
        return endpoints;
    }

    public static Ok<IReadOnlyList<UserDto>> List(UserService users) => TypedResults.Ok(users.List());

    public static Results<Created<UserDto>, ValidationProblem, ProblemHttpResult> Create(CreateUserRequest request, UserService users, ClaimsPrincipal user)
    {
        var result = users.Create(request.Username, request.Password, user.Actor(), request.Role ?? ApplianceRoles.Viewer);
        return result.Status switch
        {
            ServiceStatus.Ok => TypedResults.Created($"/api/users/{Uri.EscapeDataString(result.Value!.UserName)}", result.Value),
            ServiceStatus.Conflict => ApiResults.Conflict(result.Errors),
            _ => ApiResults.Invalid(result.Errors),
        };
    }

    public static Results<Ok<UserDto>, NotFound, ValidationProblem, ProblemHttpResult> Update(
        string username, UserChange request, UserService users, ClaimsPrincipal user)
    {
        var result = users.Update(username, request, user.Actor());
        return result.Status switch
        {
            ServiceStatus.Ok => TypedResults.Ok(result.Value!),
            ServiceStatus.NotFound => TypedResults.NotFound(),
            ServiceStatus.Conflict => ApiResults.Conflict(result.Errors),
            _ => ApiResults.Invalid(result.Errors),
        };
    }

    public static Results<NoContent, NotFound, ValidationProblem, ProblemHttpResult> Delete(string username, UserService users, ClaimsPrincipal user)
    {
        var result = users.Delete(username, user.Actor());
        return result.Status switch
        {
            ServiceStatus.Ok => TypedResults.NoContent(),
            ServiceStatus.NotFound => TypedResults.NotFound(),
            ServiceStatus.Conflict => ApiResults.Conflict(result.Errors),
            _ => ApiResults.Invalid(result.Errors),
        };
    }

    public static Results<NoContent, NotFound, ValidationProblem> ChangePassword(ChangePasswordRequest request, UserService users, ClaimsPrincipal user)
    {
        var result = users.ChangePassword(user.Actor(), request.CurrentPassword, request.NewPassword);
        return result.Status switch
        {
            ServiceStatus.Ok => TypedResults.NoContent(),
            ServiceStatus.NotFound => TypedResults.NotFound(),
            _ => ApiResults.Invalid(result.Errors),
        };
    }
}
