using System.Security.Claims;
using Appliance.Engine.Diagnostics;
using Appliance.Web.Auth;
using Appliance.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Web.Api;

public sealed record CreateUserRequest(string? Username, string? Password)
{
    /// <summary>The secret shows as ***.</summary>
    public override string ToString() => Redaction.Print(this);
}

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword)
{
    /// <summary>The secret shows as ***.</summary>
    public override string ToString() => Redaction.Print(this);
}

/// <summary>/api/users and /api/account/password. Passwords go in, never come out.</summary>
public static class UserApi
{
    public static IEndpointRouteBuilder MapUserApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/users", List).WithTags("Users").Describe("listUsers", "Users");
        endpoints.MapPost("/api/users", Create).WithTags("Users").Describe("createUser", "Create a user");
        endpoints.MapPost("/api/account/password", ChangePassword).WithTags("Users")
            .Describe("changePassword", "Change the logged-in user's password");
        return endpoints;
    }

    public static Ok<IReadOnlyList<UserDto>> List(UserService users) => TypedResults.Ok(users.List());

    public static Results<Ok<UserDto>, ValidationProblem> Create(CreateUserRequest request, UserService users, ClaimsPrincipal user)
    {
        var result = users.Create(request.Username, request.Password, user.Actor());
        return result.Status == ServiceStatus.Ok ? TypedResults.Ok(result.Value!) : ApiResults.Invalid(result.Errors);
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
