using Appliance.Web.Auth;
using Appliance.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace Appliance.Web.Tests.Auth;

/// <summary>
/// The route table: every endpoint of the real app names its role (a policy) or says AllowAnonymous, and
/// matches <see cref="RouteRoles"/>, so a new route without an entry here fails. The one exception is the
/// static assets (CSS, scripts, icons: the login page needs them and they carry no data) and their file fallback.
/// </summary>
public sealed class RouteRoleTests : IAsyncLifetime
{
    private const string Anonymous = "anonymous";

    /// <summary>MapStaticAssets' fallback for files not in its manifest: it serves files only, and the fallback policy (a login) applies.</summary>
    private const string StaticAssetsFallback = "{**path:file}";

    /// <summary>"METHOD /pattern" -> the role it requires (or anonymous).</summary>
    private static readonly Dictionary<string, string> RouteRoles = new(StringComparer.Ordinal)
    {
        ["GET /healthz"] = Anonymous,
        ["POST /api/auth/token"] = Anonymous,
        ["GET /account/antiforgery"] = Anonymous,
        ["POST /account/login"] = Anonymous,
        ["POST /account/logout"] = ApplianceRoles.Viewer,
        ["GET /login"] = Anonymous,
        ["POST /login"] = Anonymous,
        ["* /metrics"] = ApplianceRoles.Viewer,
        ["GET /openapi/{documentName}.json"] = ApplianceRoles.Viewer,
        ["GET /api/docs/{documentName?}"] = ApplianceRoles.Viewer,
        ["GET /api/docs/scalar.js"] = ApplianceRoles.Viewer,
        ["GET /api/docs/scalar.aspnetcore.js"] = ApplianceRoles.Viewer,
        ["GET /api/docs/favicon.svg"] = ApplianceRoles.Viewer,
        ["GET /api/status"] = ApplianceRoles.Viewer,
        ["GET /api/history"] = ApplianceRoles.Viewer,
        ["GET /api/vhids"] = ApplianceRoles.Viewer,
        ["GET /api/vhids/{id:int}"] = ApplianceRoles.Viewer,
        ["POST /api/vhids"] = ApplianceRoles.Operator,
        ["PUT /api/vhids/{id:int}"] = ApplianceRoles.Operator,
        ["DELETE /api/vhids/{id:int}"] = ApplianceRoles.Operator,
        ["POST /api/vhids/{id:int}/maintenance"] = ApplianceRoles.Operator,
        ["DELETE /api/vhids/{id:int}/maintenance"] = ApplianceRoles.Operator,
        ["POST /api/import"] = ApplianceRoles.Operator,
        ["GET /api/tokens"] = ApplianceRoles.Viewer,
        ["POST /api/tokens"] = ApplianceRoles.Viewer,
        ["DELETE /api/tokens/{id:int}"] = ApplianceRoles.Viewer,
        ["POST /api/account/password"] = ApplianceRoles.Viewer,
        ["GET /api/users"] = ApplianceRoles.Admin,
        ["POST /api/users"] = ApplianceRoles.Admin,
        ["PUT /api/users/{username}"] = ApplianceRoles.Admin,
        ["DELETE /api/users/{username}"] = ApplianceRoles.Admin,
        ["GET /api/audit"] = ApplianceRoles.Admin,
        ["GET /api/settings"] = ApplianceRoles.Admin,
        ["PUT /api/settings"] = ApplianceRoles.Admin,
        ["GET /api/scripts"] = ApplianceRoles.Admin,
        ["* /hubs/state"] = ApplianceRoles.Viewer,
        ["* /hubs/state/negotiate"] = ApplianceRoles.Viewer,
        // The dashboard's circuit (Blazor's own hub).
        ["* /_blazor"] = ApplianceRoles.Viewer,
        ["* /_blazor/negotiate"] = ApplianceRoles.Viewer,
        ["* /_blazor/disconnect"] = ApplianceRoles.Viewer,
        ["* /_blazor/initializers"] = ApplianceRoles.Viewer,
        ["GET /_framework/opaque-redirect"] = ApplianceRoles.Viewer,
        // Dashboard pages (GET, and POST for their forms).
        ["GET /"] = ApplianceRoles.Viewer,
        ["POST /"] = ApplianceRoles.Viewer,
        ["GET /history"] = ApplianceRoles.Viewer,
        ["POST /history"] = ApplianceRoles.Viewer,
        ["GET /about"] = ApplianceRoles.Viewer,
        ["POST /about"] = ApplianceRoles.Viewer,
        ["GET /password"] = ApplianceRoles.Viewer,
        ["POST /password"] = ApplianceRoles.Viewer,
        ["GET /tokens"] = ApplianceRoles.Viewer,
        ["POST /tokens"] = ApplianceRoles.Viewer,
        ["GET /vhids/new"] = ApplianceRoles.Operator,
        ["POST /vhids/new"] = ApplianceRoles.Operator,
        ["GET /vhids/{Id:int}"] = ApplianceRoles.Operator,
        ["POST /vhids/{Id:int}"] = ApplianceRoles.Operator,
        ["GET /import"] = ApplianceRoles.Operator,
        ["POST /import"] = ApplianceRoles.Operator,
        ["GET /audit"] = ApplianceRoles.Admin,
        ["POST /audit"] = ApplianceRoles.Admin,
        ["GET /users"] = ApplianceRoles.Admin,
        ["POST /users"] = ApplianceRoles.Admin,
    };

    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void EveryEndpoint_NamesItsRole_AndMatchesTheTable()
    {
        var actual = new Dictionary<string, string>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var endpoint in _host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor>() is not null
                || endpoint.RoutePattern.RawText == StaticAssetsFallback)
            {
                continue;
            }
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } m ? m : ["*"];
            var pattern = "/" + endpoint.RoutePattern.RawText!.Trim('/');
            foreach (var method in methods)
            {
                var key = $"{method} {pattern}";
                if (RoleOf(endpoint) is { } role)
                {
                    // Blazor and SignalR map several endpoints per route (one per transport): they must agree.
                    if (actual.TryGetValue(key, out var earlier) && earlier != role)
                    {
                        missing.Add($"{key}: both {earlier} and {role}");
                    }
                    actual[key] = role;
                }
                else
                {
                    missing.Add($"{key}: no policy and no AllowAnonymous ({endpoint.DisplayName})");
                }
            }
        }
        Assert.Empty(missing);
        var unexpected = actual.Where(a => !RouteRoles.TryGetValue(a.Key, out var role) || role != a.Value)
            .Select(a => $"{a.Key} -> {a.Value} (table: {(RouteRoles.TryGetValue(a.Key, out var r) ? r : "no entry")})").ToList();
        Assert.True(unexpected.Count == 0, "not as in the table:\n" + string.Join("\n", unexpected));
        var gone = RouteRoles.Keys.Where(k => !actual.ContainsKey(k)).ToList();
        Assert.True(gone.Count == 0, "in the table but not mapped: " + string.Join(", ", gone));
    }

    [Fact]
    public async Task OpenApi_EachOperation_SaysItsRole()
    {
        using var client = await _host.CreateAuthenticatedClientAsync();
        var document = (await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>(client, "/openapi/v1.json"))!;
        string? Description(string path, string method) => document["paths"]![path]![method]!["description"]?.GetValue<string>();

        Assert.Equal("Requires the operator role (token scope `operate`).", Description("/api/vhids", "post"));
        Assert.Equal("Requires the viewer role (token scope `read`).", Description("/api/status", "get"));
        Assert.Equal("Requires the admin role (token scope `admin`).", Description("/api/users/{username}", "put"));
        Assert.Null(Description("/healthz", "get"));
    }

    /// <summary>The endpoint's role: anonymous, or the highest of the role policies it requires; null when it names neither.</summary>
    private static string? RoleOf(Endpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return Anonymous;
        }
        var roles = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>()
            .Select(a => a.Policy)
            .Select(p => p switch
            {
                AppliancePolicies.Viewer => ApplianceRole.Viewer,
                AppliancePolicies.Operator => ApplianceRole.Operator,
                AppliancePolicies.Admin => ApplianceRole.Admin,
                _ => (ApplianceRole?)null,
            })
            .OfType<ApplianceRole>()
            .ToList();
        return roles.Count == 0 ? null : roles.Max().Name();
    }
}
