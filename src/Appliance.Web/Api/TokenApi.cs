using System.Security.Claims;
using Appliance.Engine.Diagnostics;
using Appliance.Web.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Web.Api;

public sealed record CreateTokenRequest(string? Name, int? ExpiresInDays, string? Scope);

public sealed record CreatedTokenResponse(int Id, string Name, string Token, DateTimeOffset ExpiresAt, string Scope)
{
    /// <summary>The secret shows as ***.</summary>
    public override string ToString() => Redaction.Print(this);
}

/// <summary>
/// /api/tokens: named API tokens (shown once on creation) with a scope never above the caller's right.
/// Every role lists and revokes its own; an admin lists and revokes everyone's.
/// </summary>
public static class TokenApi
{
    public static IEndpointRouteBuilder MapTokenApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/tokens").WithTags("Tokens").RequireAuthorization(AppliancePolicies.Viewer);
        group.MapGet("/", List).Describe("listTokens", "Your API tokens (an admin: everyone's), never the token itself");
        group.MapPost("/", Create).ProducesProblem(StatusCodes.Status409Conflict).Describe("createToken", "Create a named API token with a scope (shown once)");
        group.MapDelete("/{id:int}", Revoke).Describe("revokeToken", "Revoke one of your API tokens (an admin: anyone's)");
        return endpoints;
    }

    public static Ok<IReadOnlyList<TokenDto>> List(TokenService tokens, ClaimsPrincipal user) => TypedResults.Ok(tokens.List(user));

    public static Results<Ok<CreatedTokenResponse>, ValidationProblem, ProblemHttpResult> Create(
        CreateTokenRequest request, TokenService tokens, ClaimsPrincipal user)
    {
        var outcome = tokens.Create(user, request.Name, request.ExpiresInDays, request.Scope);
        if (outcome.Forbidden is { } forbidden)
        {
            return forbidden.ToResult("scope");
        }
        if (outcome.Conflict)
        {
            return ApiResults.Conflict(outcome.Errors);
        }
        return outcome.Issued is { } issued
            ? TypedResults.Ok(new CreatedTokenResponse(issued.Id, request.Name!.Trim(), issued.Token, issued.ExpiresAt, issued.Scope))
            : ApiResults.Invalid(outcome.Errors);
    }

    public static Results<NoContent, NotFound, ProblemHttpResult> Revoke(int id, TokenService tokens, ClaimsPrincipal user) =>
        tokens.Revoke(id, user) switch
        {
            RevokeOutcome.Revoked => TypedResults.NoContent(),
            RevokeOutcome.Forbidden => RoleForbiddenHandler.Describe(user, ApplianceRole.Admin).ToResult(),
            _ => TypedResults.NotFound(),
        };
}
