using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Api;

/// <summary>The bounds' settings over HTTP and the 409 of tokenMaxPerUser (docs/limits.md).</summary>
public sealed class TokenLimitApiTests : ApiTestBase
{
    [Fact]
    public async Task Settings_BoundsDefaultedStoredAndValidated()
    {
        var defaults = await Client.GetFromJsonAsync<JsonObject>("/api/settings");
        Assert.Equal(10_000, defaults!["auditMaxEntries"]!.GetValue<int>());
        Assert.Equal(90, defaults["auditMaxAgeDays"]!.GetValue<int>());
        Assert.Equal(100, defaults["tokenMaxPerUser"]!.GetValue<int>());
        Assert.Equal(7, defaults["expiredTokenRetentionDays"]!.GetValue<int>());

        using var bad = await Client.PutAsJsonAsync("/api/settings", new { auditMaxEntries = 0, auditMaxAgeDays = 0, tokenMaxPerUser = 0, expiredTokenRetentionDays = -1 });
        var problem = await VhidApiTests.AssertValidationProblemAsync(bad, "auditMaxEntries");
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("auditMaxAgeDays") && errors.ContainsKey("tokenMaxPerUser") && errors.ContainsKey("expiredTokenRetentionDays"), errors.ToJsonString());

        (await Client.PutAsJsonAsync("/api/settings", new { auditMaxEntries = 50, auditMaxAgeDays = 30, tokenMaxPerUser = 5, expiredTokenRetentionDays = 0 })).EnsureSuccessStatusCode();
        var saved = await Client.GetFromJsonAsync<JsonObject>("/api/settings");
        Assert.Equal(50, saved!["auditMaxEntries"]!.GetValue<int>());
        Assert.Equal(0, saved["expiredTokenRetentionDays"]!.GetValue<int>());
        var audit = await Client.GetFromJsonAsync<JsonArray>("/api/audit?take=10");
        Assert.Contains(audit!, e => e!["action"]!.GetValue<string>() == "settings.update"
            && e["changes"]!.AsArray().Any(c => c!.GetValue<string>() == "tokenMaxPerUser: 100 -> 5"));
    }

    [Fact]
    public async Task CreateToken_BeyondTokenMaxPerUser_409NamingTheSetting_ThenALoginReplacesTheOldestLogin()
    {
        // The client's own login token is the first of two.
        (await Client.PutAsJsonAsync("/api/settings", new { tokenMaxPerUser = 2 })).EnsureSuccessStatusCode();
        using var created = await Client.PostAsJsonAsync("/api/tokens", new { name = "ci", expiresInDays = 30 });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);

        using var refused = await Client.PostAsJsonAsync("/api/tokens", new { name = "one too many", expiresInDays = 30 });

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await Json.ReadAsync(refused);
        Assert.Equal(409, problem["status"]!.GetValue<int>());
        var message = problem["errors"]!["tokenMaxPerUser"]![0]!.GetValue<string>();
        Assert.Equal("admin holds 2 unexpired tokens, the most the tokenMaxPerUser setting allows (2): revoke one first.", message);

        // A login at the limit replaces the oldest login token: the client's, not the named one.
        using var fresh = Server.CreateClient();
        fresh.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Server.GetTokenAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client.GetAsync("/api/tokens")).StatusCode);
        var tokens = await fresh.GetFromJsonAsync<JsonArray>("/api/tokens");
        Assert.Equal(["ci", "login"], tokens!.Select(t => t!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal));
    }
}
