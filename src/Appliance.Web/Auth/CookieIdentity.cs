using System.Security.Claims;
using Appliance.Web.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Appliance.Web.Auth;

/// <summary>
/// The dashboard cookie's principal: the user's name and role plus the session claims (<see cref="SessionRevoker.LoginClaims"/>),
/// checked against the store on every request.
/// </summary>
public static class CookieIdentity
{
    public static ClaimsPrincipal Create(StoredUser user, IEnumerable<Claim> sessionClaims) =>
        new(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user.UserName), new Claim(ApplianceRoles.RoleClaim, ApplianceRoles.RoleOf(user).Name()), .. sessionClaims],
            AuthSchemes.Cookie, ClaimTypes.Name, ApplianceRoles.RoleClaim));

    /// <summary>
    /// A stale security stamp, a login older than the absolute lifetime, or a deleted or disabled user: signed out at
    /// once (401). A role changed without a new stamp takes effect at once.
    /// </summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        if (context.Principal is not { } principal || !services.GetRequiredService<SessionRevoker>().IsValid(principal)
            || services.GetRequiredService<UserService>().FindEnabled(principal.Identity?.Name) is not { } user)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(AuthSchemes.Cookie).ConfigureAwait(false);
            return;
        }
        if (principal.FindFirstValue(ApplianceRoles.RoleClaim) != ApplianceRoles.RoleOf(user).Name())
        {
            context.ReplacePrincipal(Create(user, principal.Claims.Where(c => c.Type is SessionRevoker.StampClaim or SessionRevoker.LoginAtClaim)));
        }
    }
}
