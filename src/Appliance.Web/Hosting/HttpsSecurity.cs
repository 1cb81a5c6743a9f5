using Appliance.Web.Api;
using Appliance.Web.Auth;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Appliance.Web.Hosting;

/// <summary>
/// HTTPS and the browser-facing protections, in one place: Kestrel's certificate (<see cref="CertificateProvider"/>),
/// HSTS on HTTPS responses (localhost included), Secure cookies, the security headers on every response, and the
/// antiforgery header on cookie-authenticated API writes.
/// </summary>
public static class HttpsSecurity
{
    public static readonly TimeSpan HstsMaxAge = TimeSpan.FromDays(365);

    /// <summary>Every page, API answer and static file: scripts, styles, images, fonts and connections (the circuit's WebSocket) from this origin only; never framed.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'; img-src 'self' data:";

    /// <summary>
    /// The API reference (Scalar, /api/docs/) injects its configuration as an inline script and styles its components
    /// inline: that path alone allows inline scripts and styles. It still loads and connects to nothing but this origin.
    /// </summary>
    public const string ReferenceContentSecurityPolicy =
        "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'; img-src 'self' data:; "
        + "script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; font-src 'self' data:";

    public const string AntiforgeryProblem = "antiforgery token missing or invalid";

    public static IServiceCollection AddHttpsSecurity(this IServiceCollection services)
    {
        services.AddSingleton<ServerCertificate>();
        services.AddOptions<KestrelServerOptions>().Configure<ServerCertificate>((kestrel, certificate) =>
            kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate.Certificate));
        services.AddHsts(o =>
        {
            o.MaxAge = HstsMaxAge;
            // An appliance is often reached as localhost (a tunnel) or by IP: HSTS there too.
            o.ExcludedHosts.Clear();
        });
        // Secure on HTTPS requests; on a node that only listens on HTTPS, always.
        services.AddOptions<CookieAuthenticationOptions>(AuthSchemes.Cookie)
            .Configure<IOptions<ApplianceOptions>>((cookie, appliance) => cookie.Cookie.SecurePolicy = SecurePolicy(appliance.Value));
        services.AddOptions<AntiforgeryOptions>()
            .Configure<IOptions<ApplianceOptions>>((antiforgery, appliance) => antiforgery.Cookie.SecurePolicy = SecurePolicy(appliance.Value));
        return services;
    }

    public static CookieSecurePolicy SecurePolicy(ApplianceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.UrlList.Count > 0 && options.UrlList.All(CertificateProvider.IsHttps) ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
    }

    /// <summary>First in the pipeline: the headers are on every answer, errors and redirects included.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        app.Use((context, next) =>
        {
            // When the answer starts: set, not added, so no later component (static files) leaves a second value.
            context.Response.OnStarting(static state =>
            {
                var context = (HttpContext)state;
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(ApiDocumentation.ReferencePath)
                    ? ReferenceContentSecurityPolicy
                    : ContentSecurityPolicy;
                headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            }, context);
            return next(context);
        });
        return app.UseHsts();
    }

    /// <summary>
    /// After authorization: a POST/PUT/PATCH/DELETE to /api/* authenticated by the dashboard's cookie needs the
    /// antiforgery header (GET /account/antiforgery names it and gives the token), else 400. Bearer calls are not
    /// sent by browsers on their own, so they need none.
    /// </summary>
    public static IApplicationBuilder UseApiAntiforgery(this IApplicationBuilder app)
    {
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api")
                && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method)
                && !HttpMethods.IsOptions(context.Request.Method) && !HttpMethods.IsTrace(context.Request.Method)
                && context.User.Identity is { IsAuthenticated: true }
                && !TokenAuthenticationHandler.HasToken(context))
            {
                var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
                if (!await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
                {
                    var header = context.RequestServices.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.HeaderName;
                    await TypedResults.Problem(
                        title: AntiforgeryProblem,
                        detail: $"A request authenticated by the login cookie must send the {header} header with the token from GET /account/antiforgery.",
                        statusCode: StatusCodes.Status400BadRequest,
                        extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [header ?? "antiforgery"] = [AntiforgeryProblem] } })
                        .ExecuteAsync(context).ConfigureAwait(false);
                    return;
                }
            }
            await next(context).ConfigureAwait(false);
        });
        return app;
    }
}
