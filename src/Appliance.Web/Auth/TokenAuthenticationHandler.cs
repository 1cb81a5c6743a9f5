using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Appliance.Web.Auth;

/// <summary>
/// "Authorization: Bearer apl_..." (and, for the SignalR hub only, the access_token query parameter
/// that browsers' WebSockets must use) checked against the stored token hashes.
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenService tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string TokenIdClaim = "appliance:token_id";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!TryGetToken(Context, out var token))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        // The user's role is read now, not when the token was made: a demoted user's old token loses rights.
        if (tokens.Authenticate(token) is not { } found)
        {
            return Task.FromResult(AuthenticateResult.Fail("Invalid or expired token."));
        }
        var (stored, user, right) = found;
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, stored.UserName),
                new Claim(TokenIdClaim, stored.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim(ApplianceRoles.RoleClaim, right.Name()),
                new Claim(ApplianceRoles.ScopeClaim, ApplianceRoles.ScopeOf(stored).ScopeName()),
                new Claim(RoleForbiddenHandler.UserRoleClaim, ApplianceRoles.RoleOf(user).Name()),
            ],
            Scheme.Name, ClaimTypes.Name, ApplianceRoles.RoleClaim);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }

    public static bool HasToken(HttpContext context) => TryGetToken(context, out _);

    private static bool TryGetToken(HttpContext context, out string token)
    {
        token = "";
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = header["Bearer ".Length..].Trim();
            return token.Length > 0;
        }
        if (context.Request.Path.StartsWithSegments("/hubs") && context.Request.Query["access_token"].ToString() is { Length: > 0 } query)
        {
            token = query;
            return true;
        }
        return false;
    }
}
