using System.Security.Claims;
using Appliance.Engine.Diagnostics;
using Appliance.Web.Auth;
using Appliance.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Web.Api;

public sealed record CreateTokenRequest(string? Name, int? ExpiresInDays);

public sealed record CreatedTokenResponse(int Id, string Name, string Token, DateTimeOffset ExpiresAt)
{
    /// <summary>The secret shows as ***.</summary>
    public override string ToString() => Redaction.Print(this);
}

/// <summary>/api/tokens: named API tokens (shown once on creation), listable and revocable.</summary>
public static class TokenApi
{
    public static IEndpointRouteBuilder MapTokenApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/tokens").WithTags("Tokens");
        group.MapGet("/", List).Describe("listTokens", "Named API tokens (never the token itself)");
        group.MapPost("/", Create).Describe("createToken", "Create a named API token (shown once)");
        group.MapDelete("/{id:int}", Revoke).Describe("revokeToken", "Revoke an API token");
        return endpoints;
    }

    public static Ok<IReadOnlyList<TokenDto>> List(TokenService tokens) => TypedResults.Ok(tokens.List());

    public static Results<Ok<CreatedTokenResponse>, ValidationProblem> Create(CreateTokenRequest request, TokenService tokens, ClaimsPrincipal user)
    {
        var result = tokens.Create(user.Actor(), request.Name, request.ExpiresInDays);
        return result.Status == ServiceStatus.Ok
            ? TypedResults.Ok(new CreatedTokenResponse(result.Value!.Id, request.Name!.Trim(), result.Value.Token, result.Value.ExpiresAt))
            : ApiResults.Invalid(result.Errors);
    }

    public static Results<NoContent, NotFound> Revoke(int id, TokenService tokens, ClaimsPrincipal user) =>
        tokens.Revoke(id, user.Actor()) ? TypedResults.NoContent() : TypedResults.NotFound();
}
