using System.Security.Claims;
using Appliance.Web.Storage;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Appliance.Web.Auth;

/// <summary>The dashboard cookie's principal: the user's name and role, the role re-read from the store on every request.</summary>
public static class CookieIdentity
{
    public static ClaimsPrincipal Create(StoredUser user) =>
        new(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user.UserName), new Claim(ApplianceRoles.RoleClaim, ApplianceRoles.RoleOf(user).Name())],
            AuthSchemes.Cookie, ClaimTypes.Name, ApplianceRoles.RoleClaim));

    /// <summary>A deleted or disabled user's cookie is rejected (401); a changed role takes effect at once.</summary>
    public static Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var users = context.HttpContext.RequestServices.GetRequiredService<UserService>();
        if (users.FindEnabled(context.Principal?.Identity?.Name) is not { } user)
        {
            context.RejectPrincipal();
            return Task.CompletedTask;
        }
        if (context.Principal!.FindFirstValue(ApplianceRoles.RoleClaim) != ApplianceRoles.RoleOf(user).Name())
        {
            context.ReplacePrincipal(Create(user));
        }
        return Task.CompletedTask;
    }
}
