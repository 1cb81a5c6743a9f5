using System.Security.Claims;
using Appliance.Engine.Diagnostics;
using Appliance.Web.Auth;
using Appliance.Web.Hosting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Appliance.Web.Api;

public sealed record TokenRequest(string? Username, string? Password, string? Scope = null)
{
    /// <summary>The secret shows as ***.</summary>
    public override string ToString() => Redaction.Print(this);
}

public sealed record TokenResponse(string Token, DateTimeOffset ExpiresAt, string Scope)
{
    /// <summary>The secret shows as ***.</summary>
    public override string ToString() => Redaction.Print(this);
}

public sealed record AntiforgeryTokenResponse(string FormFieldName, string? HeaderName, string Token)
{
    /// <summary>The secret shows as ***.</summary>
    public override string ToString() => Redaction.Print(this);
}

/// <summary>
/// Logging in: POST /api/auth/token (JSON, for automation) and the dashboard's form endpoints
/// POST /account/login and /account/logout (antiforgery-checked). Both logins are rate-limited.
/// </summary>
public static class AuthApi
{
    public const string LoginTokenName = "login";

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/auth/token", IssueToken)
            .AllowAnonymous()
            .RequireRateLimiting(AuthSchemes.LoginRateLimit)
            .WithTags("Auth")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .Describe("issueToken", "Log in: a bearer token for a username and password");

        var account = endpoints.MapGroup("/account").ExcludeFromDescription();
        account.MapGet("/antiforgery", GetAntiforgeryToken).AllowAnonymous();
        account.MapPost("/login", Login).AllowAnonymous().RequireRateLimiting(AuthSchemes.LoginRateLimit);
        account.MapPost("/logout", Logout).RequireAuthorization(AppliancePolicies.Viewer);
        return endpoints;
    }

    /// <summary>A token for a username and password, with the scope asked for (default: the user's role), never above the role.</summary>
    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> IssueToken(
        TokenRequest request, LoginGuard guard, UserService users, TokenService tokens, IOptions<ApplianceOptions> options, HttpContext context)
    {
        var errors = new Services.ValidationErrors();
        var asked = TokenService.ParseScope(request.Scope, errors);
        if (!errors.IsEmpty)
        {
            return ApiResults.Invalid(errors.ToDictionary());
        }
        var login = await guard.CheckAsync(request.Username, request.Password, ClientAddress(context), "api", context.RequestAborted).ConfigureAwait(false);
        if (login.Result != LoginResult.Ok || users.FindEnabled(request.Username) is not { } user)
        {
            return LoginRefused(login, context);
        }
        var role = ApplianceRoles.RoleOf(user);
        var scope = asked ?? role;
        if (TokenService.AboveRight(scope, new ClaimsPrincipal(), role) is { } forbidden)
        {
            return forbidden.ToResult("scope");
        }
        var outcome = tokens.IssueLogin(user.UserName, LoginTokenName, options.Value.TokenLifetime, scope);
        return outcome.Issued is { } issued
            ? TypedResults.Ok(new TokenResponse(issued.Token, issued.ExpiresAt, issued.Scope))
            : ApiResults.Conflict(outcome.Errors);
    }

    /// <summary>For a plain HTML login page: the antiforgery cookie plus the form field to post back.</summary>
    public static Ok<AntiforgeryTokenResponse> GetAntiforgeryToken(HttpContext context, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        return TypedResults.Ok(new AntiforgeryTokenResponse(tokens.FormFieldName, tokens.HeaderName, tokens.RequestToken!));
    }

    /// <summary>Form post (username, password, returnUrl): sets the cookie and redirects; failure returns to /login?error=1.</summary>
    public static async Task<RedirectHttpResult> Login(
        [FromForm] string? username, [FromForm] string? password, [FromForm] string? returnUrl, HttpContext context, LoginGuard guard, UserService users, SessionRevoker sessions)
    {
        var target = IsLocalUrl(returnUrl) ? returnUrl! : "/";
        var login = await guard.CheckAsync(username, password, ClientAddress(context), "dashboard", context.RequestAborted).ConfigureAwait(false);
        if (login.Result != LoginResult.Ok || users.FindEnabled(username) is not { } user)
        {
            var error = login.Result switch
            {
                LoginResult.Backoff => $"backoff&wait={login.RetryAfterSeconds}",
                LoginResult.Busy => "busy",
                _ => "1",
            };
            return TypedResults.LocalRedirect($"/login?error={error}&returnUrl=" + Uri.EscapeDataString(target));
        }
        await context.SignInAsync(AuthSchemes.Cookie, CookieIdentity.Create(user, sessions.LoginClaims(user.UserName))).ConfigureAwait(false);
        return TypedResults.LocalRedirect(target);
    }

    public static async Task<RedirectHttpResult> Logout([FromForm] string? returnUrl, HttpContext context)
    {
        await context.SignOutAsync(AuthSchemes.Cookie).ConfigureAwait(false);
        return TypedResults.LocalRedirect("/login");
    }

    /// <summary>401 (also for a user disabled meanwhile), or 429 (account backoff) / 503 (password checks busy) with Retry-After.</summary>
    private static ProblemHttpResult LoginRefused(LoginOutcome login, HttpContext context)
    {
        if (login.Result is LoginResult.Invalid or LoginResult.Ok)
        {
            return TypedResults.Problem(title: "Invalid username or password.", statusCode: StatusCodes.Status401Unauthorized);
        }
        context.Response.Headers.RetryAfter = login.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return login.Result == LoginResult.Backoff
            ? TypedResults.Problem(title: "Too many failed attempts for this account.", detail: $"Try again in {login.RetryAfterSeconds} s.",
                statusCode: StatusCodes.Status429TooManyRequests)
            : TypedResults.Problem(title: "Too many logins at once.", detail: $"Try again in {login.RetryAfterSeconds} s.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>Only "/path" (not "//host" or "/\host"): no open redirect.</summary>
    private static bool IsLocalUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
