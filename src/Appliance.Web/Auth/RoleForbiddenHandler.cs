using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Appliance.Web.Auth;

/// <summary>
/// Every route's 403 in one place: a logged-in caller below the route's role gets problem details naming
/// the missing right ("requiredRole", or "requiredScope" when the user may but the token's scope may not).
/// Everything else (401 challenges, success) is the framework's default.
/// </summary>
public sealed class RoleForbiddenHandler : IAuthorizationMiddlewareResultHandler
{
    public const string UserRoleClaim = "appliance:user_role";

    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var required = authorizeResult.Forbidden
            ? authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<RoleRequirement>().Select(r => (ApplianceRole?)r.Role).Max()
            : null;
        if (required is not { } role)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
            return;
        }
        await WriteAsync(context, Describe(context.User, role)).ConfigureAwait(false);
    }

    /// <summary>The title and extension for a caller below <paramref name="required"/>.</summary>
    public static MissingRight Describe(System.Security.Claims.ClaimsPrincipal user, ApplianceRole required)
    {
        var userRole = ApplianceRoles.TryParse(user.FindFirst(UserRoleClaim)?.Value, out var r) ? r : (ApplianceRole?)null;
        return userRole >= required && user.FindFirst(ApplianceRoles.ScopeClaim) is not null
            ? new MissingRight($"This requires a token with the {required.ScopeName()} scope.", "requiredScope", required.ScopeName())
            : new MissingRight($"This requires the {required.Name()} role.", "requiredRole", required.Name());
    }

    public static Task WriteAsync(HttpContext context, MissingRight missing) => missing.ToResult().ExecuteAsync(context);
}

/// <summary>What a 403 says: its title and the one extension naming the right ("requiredRole": "operator").</summary>
public sealed record MissingRight(string Title, string Extension, string Value)
{
    public Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult ToResult(string? field = null)
    {
        var extensions = new Dictionary<string, object?> { [Extension] = Value };
        if (field is not null)
        {
            extensions["field"] = field;
        }
        return TypedResults.Problem(title: Title, statusCode: StatusCodes.Status403Forbidden, extensions: extensions);
    }
}
