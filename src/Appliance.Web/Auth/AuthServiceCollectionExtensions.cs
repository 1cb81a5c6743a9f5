using System.Threading.RateLimiting;
using Appliance.Web.Api;
using Appliance.Web.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Appliance.Web.Auth;

public static class AuthServiceCollectionExtensions
{
    /// <summary>
    /// Bearer tokens and the dashboard cookie behind one policy scheme; every endpoint requires an
    /// authenticated user unless it says AllowAnonymous (/healthz, the login endpoints); login attempts
    /// are rate-limited per client address.
    /// </summary>
    public static IServiceCollection AddApplianceAuth(this IServiceCollection services)
    {
        services.AddSingleton<UserService>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<AdminBootstrapper>();
        AddSessions(services);

        services.AddAuthentication(AuthSchemes.Combined)
            .AddPolicyScheme(AuthSchemes.Combined, "Token or cookie", o =>
                o.ForwardDefaultSelector = context => TokenAuthenticationHandler.HasToken(context) ? AuthSchemes.Token : AuthSchemes.Cookie)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(AuthSchemes.Token, null)
            .AddCookie(AuthSchemes.Cookie, o =>
            {
                o.LoginPath = "/login";
                o.LogoutPath = "/account/logout";
                o.Cookie.Name = AuthSchemes.CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.SlidingExpiration = true;
                o.Events.OnRedirectToLogin = context => RejectOrRedirect(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => RejectOrRedirect(context, StatusCodes.Status403Forbidden);
                o.Events.OnValidatePrincipal = ValidateSessionAsync;
            });
        services.AddOptions<CookieAuthenticationOptions>(AuthSchemes.Cookie)
            .Configure<IOptions<ApplianceOptions>>((cookie, appliance) => cookie.ExpireTimeSpan = appliance.Value.CookieLifetime);

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(AuthSchemes.Combined).RequireAuthenticatedUser().Build());

        services.AddAntiforgery(o => o.Cookie.Name = "appliance.antiforgery");

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(AuthSchemes.LoginRateLimit, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<ApplianceOptions>>().Value;
                var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.LoginPermitLimit,
                    Window = options.LoginWindow,
                    QueueLimit = 0,
                });
            });
        });
        return services;
    }

    /// <summary>Sessions that end (<see cref="SessionRevoker"/>), login checks (<see cref="LoginGuard"/>), the first admin's password file.</summary>
    private static void AddSessions(IServiceCollection services)
    {
        services.AddSingleton<SessionRevoker>();
        services.AddSingleton<HubConnectionRegistry>();
        services.AddSingleton<InitialAdminPassword>();
        services.AddSingleton<LoginGuard>();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, SessionAuthenticationStateProvider>();
    }

    /// <summary>Every cookie request: a stale security stamp or a login older than the absolute lifetime is signed out at once.</summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        if (context.Principal is { } principal && context.HttpContext.RequestServices.GetRequiredService<SessionRevoker>().IsValid(principal))
        {
            return;
        }
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(AuthSchemes.Cookie).ConfigureAwait(false);
    }

    /// <summary>API clients and the hub get a status code; browsers on pages (and the API reference) get the login redirect.</summary>
    private static Task RejectOrRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        var path = context.Request.Path;
        var forMachines = path.StartsWithSegments("/api") || path.StartsWithSegments("/hubs") || path.StartsWithSegments("/openapi")
            || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/account");
        // The API reference is a page for people, though it lives beside the API.
        if (forMachines && !path.StartsWithSegments(ApiDocumentation.ReferencePath))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
