using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Web.Api;
using Appliance.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Appliance.Web.Tests.Auth;

public sealed class AuthenticationTests : IAsyncLifetime
{
    /// <summary>The only endpoints anyone may call without logging in.</summary>
    private static readonly HashSet<string> AnonymousRoutes = ["/healthz", "/api/auth/token", "/account/login", "/account/antiforgery", "/login"];

    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task EveryApiRoute_WithoutCredentials_Returns401()
    {
        // The API reference is a page: it redirects to the login (OpenApiDocumentTests).
        var endpoints = RouteEndpoints()
            .Where(e => e.Pattern.StartsWith("/api", StringComparison.Ordinal) && e.Pattern != "/api/auth/token")
            .Where(e => !e.Pattern.StartsWith(ApiDocumentation.ReferencePath, StringComparison.Ordinal))
            .ToList();
        Assert.Contains(endpoints, e => e.Pattern == "/api/vhids/{id:int}/maintenance" && e.Method == "DELETE");
        Assert.True(endpoints.Count >= 15, $"only {endpoints.Count} API endpoints found");

        using var client = _host.CreateClient();
        var failures = new List<string>();
        foreach (var (pattern, method) in endpoints.Append(("/metrics", "GET")).Append(("/openapi/v1.json", "GET")).Append(("/hubs/state/negotiate", "POST")))
        {
            var path = System.Text.RegularExpressions.Regex.Replace(pattern, @"\{[^}]+\}", "1");
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is "POST" or "PUT")
            {
                request.Content = JsonContent.Create(new { });
            }
            using var response = await client.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                failures.Add($"{method} {path}: {(int)response.StatusCode}");
            }
        }
        Assert.Empty(failures);
    }

    [Fact]
    public void EveryEndpoint_AllowAnonymousOnlyOnLoginAndHealth()
    {
        var dataSource = _host.Services.GetRequiredService<EndpointDataSource>();
        var anonymous = dataSource.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            // Static files (CSS, favicon, the Blazor script) must load on the login page; they carry no data.
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor>() is null)
            .Select(e => "/" + e.RoutePattern.RawText!.Trim('/'))
            .Where(r => !r.StartsWith("/_framework/blazor.", StringComparison.Ordinal))
            .ToHashSet();

        Assert.Subset(AnonymousRoutes, anonymous);
    }

    [Fact]
    public async Task Healthz_WithoutCredentials_ReturnsHealthy()
    {
        using var client = _host.CreateClient();
        var body = await client.GetFromJsonAsync<JsonObject>("/healthz");
        Assert.Equal("healthy", body!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task TokenEndpoint_GoodCredentials_ReturnsTokenAndExpiry()
    {
        using var client = _host.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/auth/token", new { username = "admin", password = TestHost.AdminPassword });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json.ReadAsync(response);
        Assert.StartsWith("apl_", body["token"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(body["expiresAt"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task TokenEndpoint_WrongPassword_Returns401ProblemAndNoToken()
    {
        using var client = _host.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/auth/token", new { username = "admin", password = "wrong-password" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("token\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BearerToken_UnknownOrRevoked_Returns401()
    {
        using var client = await _host.CreateAuthenticatedClientAsync();
        using var created = await client.PostAsJsonAsync("/api/tokens", new { name = "ci", expiresInDays = 30 });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var token = await Json.ReadAsync(created);

        using var automation = _host.CreateClient();
        automation.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token["token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await automation.GetAsync("/api/vhids")).StatusCode);
        var listed = await client.GetFromJsonAsync<JsonArray>("/api/tokens");
        Assert.Contains(listed!, t => t!["name"]!.GetValue<string>() == "ci");
        Assert.DoesNotContain(token["token"]!.GetValue<string>(), listed!.ToJsonString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/tokens/{token["id"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await automation.GetAsync("/api/vhids")).StatusCode);

        automation.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "apl_not-a-real-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await automation.GetAsync("/api/vhids")).StatusCode);
    }

    [Fact]
    public async Task LoginForm_WithAntiforgery_SetsCookieThatAuthenticatesApi()
    {
        var cookies = new CookieContainer();
        using var client = _host.CreateClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false });
        var antiforgery = await client.GetFromJsonAsync<JsonObject>("/account/antiforgery");

        using var login = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [antiforgery!["formFieldName"]!.GetValue<string>()] = antiforgery["token"]!.GetValue<string>(),
            ["username"] = "admin",
            ["password"] = TestHost.AdminPassword,
            ["returnUrl"] = "/vhids",
        }));

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/vhids", login.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/vhids")).StatusCode);
    }

    [Fact]
    public async Task LoginForm_WithoutAntiforgeryToken_IsRejectedWithoutCookie()
    {
        var cookies = new CookieContainer();
        using var client = _host.CreateClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false });

        using var login = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = "admin",
            ["password"] = TestHost.AdminPassword,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/vhids")).StatusCode);
    }

    [Fact]
    public async Task LoginForm_WrongPasswordOrForeignReturnUrl_RedirectsToLoginOrRoot()
    {
        var cookies = new CookieContainer();
        using var client = _host.CreateClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false });
        async Task<HttpResponseMessage> PostAsync(string password, string returnUrl)
        {
            var antiforgery = await client.GetFromJsonAsync<JsonObject>("/account/antiforgery");
            return await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                [antiforgery!["formFieldName"]!.GetValue<string>()] = antiforgery["token"]!.GetValue<string>(),
                ["username"] = "admin",
                ["password"] = password,
                ["returnUrl"] = returnUrl,
            }));
        }

        using var wrong = await PostAsync("nope-nope", "/");
        Assert.StartsWith("/login?error=1", wrong.Headers.Location!.OriginalString, StringComparison.Ordinal);
        using var foreign = await PostAsync(TestHost.AdminPassword, "//evil.example/");
        Assert.Equal("/", foreign.Headers.Location!.OriginalString);
    }

    private List<(string Pattern, string Method)> RouteEndpoints()
    {
        var dataSource = _host.Services.GetRequiredService<EndpointDataSource>();
        return dataSource.Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (e.RoutePattern.RawText!.TrimEnd('/'), m)))
            .Distinct()
            .ToList();
    }
}
