using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;
using Appliance.Web.Storage;

namespace Appliance.Web.Auth;

/// <summary>The three roles, in order: each may do everything the one below it may.</summary>
public enum ApplianceRole
{
    Viewer = 1,
    Operator = 2,
    Admin = 3,
}

/// <summary>
/// The one place that names roles and token scopes and compares them. A token's scope is a role's
/// right under another word: read ~ viewer, operate ~ operator, admin ~ admin.
/// </summary>
public static class ApplianceRoles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    public const string ReadScope = "read";
    public const string OperateScope = "operate";
    public const string AdminScope = "admin";

    /// <summary>The principal's effective right (for a token: the lower of its user's current role and its scope).</summary>
    public const string RoleClaim = ClaimTypes.Role;

    /// <summary>On token principals only: the token's own scope.</summary>
    public const string ScopeClaim = "appliance:scope";

    public static readonly IReadOnlyList<string> RoleNames = [Viewer, Operator, Admin];
    public static readonly IReadOnlyList<string> ScopeNames = [ReadScope, OperateScope, AdminScope];

    public static string Name(this ApplianceRole role) => role switch
    {
        ApplianceRole.Viewer => Viewer,
        ApplianceRole.Operator => Operator,
        _ => Admin,
    };

    public static string ScopeName(this ApplianceRole role) => role switch
    {
        ApplianceRole.Viewer => ReadScope,
        ApplianceRole.Operator => OperateScope,
        _ => AdminScope,
    };

    public static bool TryParse([NotNullWhen(true)] string? text, out ApplianceRole role) => TryFind(RoleNames, text, out role);

    public static bool TryParseScope([NotNullWhen(true)] string? text, out ApplianceRole role) => TryFind(ScopeNames, text, out role);

    /// <summary>A user stored by a version without roles was the only kind there was: admin.</summary>
    public static ApplianceRole RoleOf(StoredUser user) => TryParse(user.Role, out var role) ? role : ApplianceRole.Admin;

    /// <summary>A token stored by a version without scopes could do everything its user could.</summary>
    public static ApplianceRole ScopeOf(StoredToken token) => TryParseScope(token.Scope, out var scope) ? scope : ApplianceRole.Admin;

    public static ApplianceRole Min(ApplianceRole a, ApplianceRole b) => a < b ? a : b;

    /// <summary>The principal's effective right; null when it carries none (not logged in).</summary>
    public static ApplianceRole? RoleOf(ClaimsPrincipal principal) =>
        principal.Identity?.IsAuthenticated == true && TryParse(principal.FindFirstValue(RoleClaim), out var role) ? role : null;

    public static bool IsAtLeast(this ClaimsPrincipal principal, ApplianceRole required) => RoleOf(principal) >= required;

    private static bool TryFind(IReadOnlyList<string> names, string? text, out ApplianceRole role)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], text, StringComparison.Ordinal))
            {
                role = (ApplianceRole)(i + 1);
                return true;
            }
        }
        role = default;
        return false;
    }
}
