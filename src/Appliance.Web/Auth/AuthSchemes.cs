namespace Appliance.Web.Auth;

public static class AuthSchemes
{
    /// <summary>The default: forwards to <see cref="Token"/> for a bearer token, else to <see cref="Cookie"/>.</summary>
    public const string Combined = "Appliance";
    public const string Token = "ApplianceToken";
    public const string Cookie = "ApplianceCookie";
    public const string LoginRateLimit = "login";

    /// <summary>The dashboard's login cookie.</summary>
    public const string CookieName = "appliance.auth";
}
