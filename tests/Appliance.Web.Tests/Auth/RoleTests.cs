using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Web.Hubs;
using Appliance.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Appliance.Web.Tests.Auth;

/// <summary>
/// Roles and scopes against the real app: for each role (its own password token) and each scope (an admin's
/// token of that scope), representative routes answer 2xx where allowed and 403 problem details naming the
/// missing right where not; the hub; the users API with its last-admin guard; token ownership and limits.
/// </summary>
public sealed class RoleTests : ApiTestBase
{
    private const string Password = "role-test-password";

    /// <summary>Method, path, body and the least role that may call it.</summary>
    private static readonly (string Method, string Path, Func<int, object?> Body, string Role)[] Routes =
    [
        ("GET", "/api/status", _ => null, "viewer"),
        ("GET", "/api/history", _ => null, "viewer"),
        ("GET", "/api/vhids", _ => null, "viewer"),
        ("GET", "/metrics", _ => null, "viewer"),
        ("GET", "/openapi/v1.json", _ => null, "viewer"),
        ("GET", "/api/tokens", _ => null, "viewer"),
        ("POST", "/api/vhids", n => Json.Vhid(vhid: n, vip: $"198.18.9.{n}"), "operator"),
        ("POST", "/api/vhids/{id}/maintenance", _ => null, "operator"),
        ("DELETE", "/api/vhids/{id}/maintenance", _ => null, "operator"),
        ("POST", "/api/import", n => new { text = $"UCARP_INTERFACE=eth-test0\nUCARP_VHID={n + 100}\nUCARP_VIP=198.18.10.{n}\nUCARP_PASSWORD=secret1\n" }, "operator"),
        ("GET", "/api/audit", _ => null, "admin"),
        ("GET", "/api/settings", _ => null, "admin"),
        ("GET", "/api/users", _ => null, "admin"),
        ("POST", "/api/users", n => new { username = $"made-{n}", password = Password, role = "viewer" }, "admin"),
    ];

    private static readonly string[] Order = ["viewer", "operator", "admin"];

    private int _counter = 10;

    [Theory]
    [InlineData("viewer")]
    [InlineData("operator")]
    [InlineData("admin")]
    public async Task Role_EachRoute_AllowedOr403NamingTheRole(string role)
    {
        using var client = await ClientForRoleAsync(role);
        await AssertRoutesAsync(client, role, "requiredRole", r => r);
    }

    [Theory]
    [InlineData("read", "viewer")]
    [InlineData("operate", "operator")]
    [InlineData("admin", "admin")]
    public async Task Scope_AdminsTokenOfEachScope_AllowedOr403NamingTheScope(string scope, string role)
    {
        // The user is admin: what is refused is refused for the token's scope.
        using var client = Bearer(await TokenAsync("admin", TestHost.AdminPassword, scope));
        await AssertRoutesAsync(client, role, "requiredScope", r => r switch { "viewer" => "read", "operator" => "operate", _ => "admin" });
    }

    [Fact]
    public async Task Hub_ReadToken_Connects_NoOrUnknownToken_401()
    {
        await using (var connection = Connect(await TokenAsync("admin", TestHost.AdminPassword, "read")))
        {
            await connection.StartAsync().WaitAsync(TestHost.Timeout);
            var status = await connection.InvokeAsync<JsonArray>(nameof(StateHub.GetStatus)).WaitAsync(TestHost.Timeout);
            Assert.NotNull(status);
        }
        await using var anonymous = new HubConnectionBuilder().WithUrl(new Uri(Server.BaseAddress, StateHub.Path)).Build();
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.StartAsync().WaitAsync(TestHost.Timeout));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        // A viewer's token connects; once the user is disabled the same token is refused.
        await CreateUserAsync("hubviewer", "viewer");
        var token = await TokenAsync("hubviewer", Password);
        await using (var connection = Connect(token))
        {
            await connection.StartAsync().WaitAsync(TestHost.Timeout);
        }
        await PutUserAsync("hubviewer", new { disabled = true }, HttpStatusCode.OK);
        await using var disabled = Connect(token);
        refused = await Assert.ThrowsAsync<HttpRequestException>(() => disabled.StartAsync().WaitAsync(TestHost.Timeout));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Cookie_ViewerReadsButNotAdminPages_DisabledIs401()
    {
        await CreateUserAsync("cookie-viewer", "viewer");
        using var client = Server.CreateClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false });
        var antiforgery = (await client.GetFromJsonAsync<JsonObject>("/account/antiforgery"))!;
        using var login = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [antiforgery["formFieldName"]!.GetValue<string>()] = antiforgery["token"]!.GetValue<string>(),
            ["username"] = "cookie-viewer",
            ["password"] = Password,
        }));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/status")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        await AssertForbiddenAsync(await client.GetAsync("/api/audit"), "requiredRole", "admin");
        await AssertForbiddenAsync(await client.GetAsync("/audit"), "requiredRole", "admin");
        await AssertForbiddenAsync(await client.GetAsync("/vhids/new"), "requiredRole", "operator");

        await PutUserAsync("cookie-viewer", new { disabled = true }, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/status")).StatusCode);
    }

    [Fact]
    public async Task StoredUserWithoutRole_FromAnOlderVersion_IsAdmin()
    {
        await CreateUserAsync("legacy", "viewer");
        var store = Server.Services.GetRequiredService<Appliance.Web.Storage.IApplianceStore>();
        var legacy = store.Users.Find("legacy")!;
        legacy.Role = "";
        store.Users.Update(legacy);

        using var client = Bearer(await TokenAsync("legacy", Password));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/audit")).StatusCode);
        var users = (await Client.GetFromJsonAsync<JsonArray>("/api/users"))!;
        Assert.Equal("admin", users.Single(u => u!["userName"]!.GetValue<string>() == "legacy")!["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task Users_CreateListConflictAndBadInput()
    {
        using var created = await Client.PostAsJsonAsync("/api/users", new { username = "olga", password = Password, role = "operator" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await Json.ReadAsync(created);
        Assert.Equal("operator", body["role"]!.GetValue<string>());
        Assert.False(body["disabled"]!.GetValue<bool>());

        using var again = await Client.PostAsJsonAsync("/api/users", new { username = "olga", password = Password, role = "viewer" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.NotNull((await Json.ReadAsync(again))["errors"]!["username"]);

        using var badRole = await Client.PostAsJsonAsync("/api/users", new { username = "root", password = Password, role = "root" });
        Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);
        Assert.NotNull((await Json.ReadAsync(badRole))["errors"]!["role"]);

        using var shortPassword = await Client.PostAsJsonAsync("/api/users", new { username = "shorty", password = "short", role = "viewer" });
        Assert.Equal(HttpStatusCode.BadRequest, shortPassword.StatusCode);
        Assert.NotNull((await Json.ReadAsync(shortPassword))["errors"]!["password"]);

        // Without a role: the least one.
        using var plain = await Client.PostAsJsonAsync("/api/users", new { username = "plain", password = Password });
        Assert.Equal("viewer", (await Json.ReadAsync(plain))["role"]!.GetValue<string>());

        var text = await Client.GetStringAsync("/api/users");
        Assert.DoesNotContain("hash", text, StringComparison.OrdinalIgnoreCase);
        var users = JsonNode.Parse(text)!.AsArray();
        Assert.Equal(["admin", "olga", "plain"], users.Select(u => u!["userName"]!.GetValue<string>()));
        Assert.Equal("admin", users[0]!["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task Users_LastEnabledAdmin_CannotBeDemotedDisabledOrDeleted()
    {
        Assert.Equal("role", await PutUserAsync("admin", new { role = "operator" }, HttpStatusCode.Conflict));
        Assert.Equal("disabled", await PutUserAsync("admin", new { disabled = true }, HttpStatusCode.Conflict));
        using (var delete = await Client.DeleteAsync("/api/users/admin"))
        {
            Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
            Assert.NotNull((await Json.ReadAsync(delete))["errors"]!["username"]);
        }
        // Nothing was written: the admin token still works as admin.
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/api/users")).StatusCode);

        // With a second admin, the first may step down.
        await CreateUserAsync("second", "admin");
        await PutUserAsync("admin", new { role = "viewer" }, HttpStatusCode.OK);
        using var second = Bearer(await TokenAsync("second", Password));
        Assert.Equal("disabled", await PutUserAsync("second", new { disabled = true }, HttpStatusCode.Conflict, second));
        Assert.Equal(HttpStatusCode.NoContent, (await second.DeleteAsync("/api/users/admin")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await second.DeleteAsync("/api/users/admin")).StatusCode);
    }

    [Fact]
    public async Task Users_RoleChangeDisableDelete_EndTheUsersTokensAtOnce()
    {
        foreach (var (name, change) in new (string, object?)[] { ("demoted", new { role = "viewer" }), ("disabled", new { disabled = true }), ("deleted", null) })
        {
            await CreateUserAsync(name, "operator");
            using var user = Bearer(await TokenAsync(name, Password));
            Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/api/status")).StatusCode);
            if (change is null)
            {
                Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/api/users/{name}")).StatusCode);
            }
            else
            {
                await PutUserAsync(name, change, HttpStatusCode.OK);
            }
            Assert.Equal(HttpStatusCode.Unauthorized, (await user.GetAsync("/api/status")).StatusCode);
        }
        // The demoted user logs in again with the new role; the disabled one cannot log in.
        using var demoted = Bearer(await TokenAsync("demoted", Password));
        Assert.Equal(HttpStatusCode.Forbidden, (await demoted.PostAsync("/api/vhids/1/maintenance", null)).StatusCode);
        using var login = await Server.CreateClient().PostAsJsonAsync("/api/auth/token", new { username = "disabled", password = Password });
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
    }

    [Fact]
    public async Task Tokens_ScopeNeverAboveTheCaller_UnknownScope400_LifetimeCapped()
    {
        await CreateUserAsync("vic", "viewer");
        using var viewer = Bearer(await TokenAsync("vic", Password));

        using (var above = await viewer.PostAsJsonAsync("/api/tokens", new { name = "x", expiresInDays = 30, scope = "operate" }))
        {
            var problem = await AssertForbiddenAsync(above, "requiredRole", "operator");
            Assert.Equal("scope", problem["field"]!.GetValue<string>());
        }
        using (var login = await Server.CreateClient().PostAsJsonAsync("/api/auth/token", new { username = "vic", password = Password, scope = "admin" }))
        {
            await AssertForbiddenAsync(login, "requiredRole", "admin");
        }
        using (var unknown = await viewer.PostAsJsonAsync("/api/tokens", new { name = "x", expiresInDays = 30, scope = "root" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
            Assert.NotNull((await Json.ReadAsync(unknown))["errors"]!["scope"]);
        }
        using (var tooLong = await viewer.PostAsJsonAsync("/api/tokens", new { name = "x", expiresInDays = 366 }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
            Assert.NotNull((await Json.ReadAsync(tooLong))["errors"]!["expiresInDays"]);
        }
        // Default: the caller's own right.
        using (var ok = await viewer.PostAsJsonAsync("/api/tokens", new { name = "grafana", expiresInDays = 365 }))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("read", (await Json.ReadAsync(ok))["scope"]!.GetValue<string>());
        }

        // A read token of an admin cannot mint an admin token.
        using var read = Bearer(await TokenAsync("admin", TestHost.AdminPassword, "read"));
        using (var mint = await read.PostAsJsonAsync("/api/tokens", new { name = "y", expiresInDays = 1, scope = "admin" }))
        {
            await AssertForbiddenAsync(mint, "requiredScope", "admin");
        }

        // The setting caps the lifetime; it is validated and admin-only.
        var settings = (await Client.GetFromJsonAsync<JsonObject>("/api/settings"))!;
        Assert.Equal(365, settings["tokenMaxLifetimeDays"]!.GetValue<int>());
        settings["tokenMaxLifetimeDays"] = 30;
        Assert.Equal(HttpStatusCode.OK, (await Client.PutAsJsonAsync("/api/settings", settings)).StatusCode);
        using (var capped = await Client.PostAsJsonAsync("/api/tokens", new { name = "z", expiresInDays = 31 }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, capped.StatusCode);
        }
        settings["tokenMaxLifetimeDays"] = 0;
        using (var bad = await Client.PutAsJsonAsync("/api/settings", settings))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.NotNull((await Json.ReadAsync(bad))["errors"]!["tokenMaxLifetimeDays"]);
        }
    }

    [Fact]
    public async Task Tokens_BelongToTheirCreator_AdminSeesAndRevokesAll()
    {
        await CreateUserAsync("owen", "operator");
        using var owen = Bearer(await TokenAsync("owen", Password));
        var owensToken = await CreateTokenAsync(owen, "owens");
        var adminsToken = await CreateTokenAsync(Client, "admins");

        var owensList = (await owen.GetFromJsonAsync<JsonArray>("/api/tokens"))!;
        Assert.All(owensList, t => Assert.Equal("owen", t!["userName"]!.GetValue<string>()));
        Assert.Contains(owensList, t => t!["id"]!.GetValue<int>() == owensToken);
        Assert.Contains(owensList, t => t!["scope"]!.GetValue<string>() == "operate");

        await AssertForbiddenAsync(await owen.DeleteAsync($"/api/tokens/{adminsToken}"), "requiredRole", "admin");
        var adminList = (await Client.GetFromJsonAsync<JsonArray>("/api/tokens"))!;
        Assert.Contains(adminList, t => t!["id"]!.GetValue<int>() == owensToken);
        Assert.Contains(adminList, t => t!["id"]!.GetValue<int>() == adminsToken);

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/api/tokens/{owensToken}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/api/tokens/{adminsToken}")).StatusCode);
    }

    private async Task AssertRoutesAsync(HttpClient client, string role, string extension, Func<string, string> value)
    {
        var vhid = await Json.CreateVhidAsync(Client, Json.Vhid(vhid: 200 + _counter, vip: $"198.18.8.{_counter++}"));
        var id = vhid["id"]!.GetValue<int>();
        var failures = new List<string>();
        foreach (var (method, template, body, least) in Routes)
        {
            var path = template.Replace("{id}", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body(_counter++) is { } content)
            {
                request.Content = JsonContent.Create(content);
            }
            using var response = await client.SendAsync(request);
            var allowed = Array.IndexOf(Order, role) >= Array.IndexOf(Order, least);
            if (allowed && !response.IsSuccessStatusCode)
            {
                failures.Add($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            if (!allowed)
            {
                var problem = response.StatusCode == HttpStatusCode.Forbidden && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                    ? await Json.ReadAsync(response)
                    : null;
                if (problem?[extension]?.GetValue<string>() != value(least) || problem["title"]?.GetValue<string>()?.Contains(value(least), StringComparison.Ordinal) != true)
                {
                    failures.Add($"{method} {path}: {(int)response.StatusCode} {problem?.ToJsonString()}, expected 403 with {extension} {value(least)}");
                }
            }
        }
        Assert.Empty(failures);
    }

    private static async Task<JsonNode> AssertForbiddenAsync(HttpResponseMessage response, string extension, string value)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await Json.ReadAsync(response);
        Assert.Equal(value, problem[extension]!.GetValue<string>());
        return problem;
    }

    private async Task<HttpClient> ClientForRoleAsync(string role)
    {
        if (role == "admin")
        {
            return await Server.CreateAuthenticatedClientAsync();
        }
        await CreateUserAsync(role + "-user", role);
        return Bearer(await TokenAsync(role + "-user", Password));
    }

    private async Task CreateUserAsync(string name, string role)
    {
        using var response = await Client.PostAsJsonAsync("/api/users", new { username = name, password = Password, role });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>PUT /api/users/{name}; returns the field a refusal names.</summary>
    private async Task<string?> PutUserAsync(string name, object change, HttpStatusCode expected, HttpClient? client = null)
    {
        using var response = await (client ?? Client).PutAsJsonAsync($"/api/users/{name}", change);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"PUT /api/users/{name}: {(int)response.StatusCode} {body}");
        return response.IsSuccessStatusCode ? null : JsonNode.Parse(body)!["errors"]!.AsObject().Single().Key;
    }

    private async Task<string> TokenAsync(string userName, string password, string? scope = null)
    {
        using var client = Server.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/auth/token", new { username = userName, password, scope });
        var body = await Json.ReadAsync(response);
        Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
        return body["token"]!.GetValue<string>();
    }

    private static async Task<int> CreateTokenAsync(HttpClient client, string name)
    {
        using var response = await client.PostAsJsonAsync("/api/tokens", new { name, expiresInDays = 7 });
        response.EnsureSuccessStatusCode();
        return (await Json.ReadAsync(response))["id"]!.GetValue<int>();
    }

    private HttpClient Bearer(string token)
    {
        var client = Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private HubConnection Connect(string token) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(Server.BaseAddress, StateHub.Path), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
}
