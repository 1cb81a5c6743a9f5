using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Engine.Import;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Auth;

/// <summary>
/// The attack that gave root to any credential before roles, scopes and named scripts: a token minted for
/// Prometheus creates a user, mints a long-lived admin token, adds a "command" health check running
/// <c>sh -c id</c> and reads its output from GET /api/status; the web import reads /etc/shadow. Every step is
/// now refused with a problem naming the missing right or the field, and nothing is written or run.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class AttackTests : ScriptsApiTestBase
{
    private static object ShellCheckVhid(string marker, string target, params string[] arguments) => new
    {
        @interface = "eth-test0", vhid = 9, advbase = 0, advskew = 10, password = "carp-secret", vip = "198.18.9.1", prefixLength = 24,
        checks = new[] { new { name = "pwn", kind = "command", target, arguments, intervalMs = 50, timeoutMs = 2000 } },
        upscript = $"/bin/sh -c 'id > {marker}'",
    };

    [Fact]
    public async Task PrometheusToken_EveryStepTowardsRoot_RefusedAndNothingWrittenOrRun()
    {
        var marker = Path.Combine(Server.DataDirectory, "pwned");

        // The admin mints what one gives Prometheus. Ten years is above the lifetime cap.
        using (var tooLong = await Client.PostAsJsonAsync("/api/tokens", new { name = "prometheus", expiresInDays = 3650, scope = "read" }))
        {
            await AssertProblemAsync(tooLong, HttpStatusCode.BadRequest, field: "expiresInDays");
        }
        using var minted = await Client.PostAsJsonAsync("/api/tokens", new { name = "prometheus", expiresInDays = 90, scope = "read" });
        Assert.Equal(HttpStatusCode.OK, minted.StatusCode);
        var readToken = (await Json.ReadAsync(minted))["token"]!.GetValue<string>();
        using var prometheus = Server.CreateClient();
        prometheus.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", readToken);

        // What it is for works.
        Assert.Equal(HttpStatusCode.OK, (await prometheus.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await prometheus.GetAsync("/api/status")).StatusCode);

        // 1. Create a user of its own.
        using (var user = await prometheus.PostAsJsonAsync("/api/users", new { username = "mallory", password = "mallory-password-1", role = "admin" }))
        {
            await AssertForbiddenAsync(user, "requiredScope", "admin");
        }
        // 2. Mint itself something stronger, or for longer.
        using (var stronger = await prometheus.PostAsJsonAsync("/api/tokens", new { name = "x", expiresInDays = 30, scope = "admin" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, stronger.StatusCode);
            Assert.Equal("scope", (await Json.ReadAsync(stronger))["field"]!.GetValue<string>());
        }
        // 3. Add the command check, change the settings, import.
        using (var vhid = await prometheus.PostAsJsonAsync("/api/vhids", ShellCheckVhid(marker, "sh", "-c", $"id > {marker}")))
        {
            await AssertForbiddenAsync(vhid, "requiredScope", "operate");
        }
        using (var settings = await prometheus.PutAsJsonAsync("/api/settings", new { tokenMaxLifetimeDays = 3650 }))
        {
            await AssertForbiddenAsync(settings, "requiredScope", "admin");
        }
        using (var audit = await prometheus.GetAsync("/api/audit"))
        {
            await AssertForbiddenAsync(audit, "requiredScope", "admin");
        }

        // Even the admin cannot run a shell over HTTP: the check and the scripts name executables in the scripts
        // directory, and "sh", "/bin/sh" or a shell line are not among them.
        foreach (var target in new[] { "sh", "/bin/sh", $"sh -c \"id > {marker}\"" })
        {
            using var asAdmin = await Client.PostAsJsonAsync("/api/vhids", ShellCheckVhid(marker, target, "-c", $"id > {marker}"));
            var errors = (await AssertProblemAsync(asAdmin, HttpStatusCode.BadRequest))["errors"]!.AsObject();
            Assert.Equal(["checks[0].target", "upscript"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        }
        // The web import reads no server file, and its answer does not depend on the file.
        using (var shadow = await Client.PostAsJsonAsync("/api/import", new { text = "UCARP_INTERFACE=eth-test0\nUCARP_VHID=9\nUCARP_VIP=198.18.9.1\nUCARP_PASSFILE=/etc/shadow\n", sourceName = "ucarp.conf" }))
        {
            var body = await AssertProblemAsync(shadow, HttpStatusCode.BadRequest, field: null);
            Assert.Equal(PasswordFiles.WebRefusal, body["errors"]!["passfile"]![0]!.GetValue<string>());
            Assert.DoesNotContain("bytes", body.ToJsonString(), StringComparison.Ordinal);
        }

        // Nothing was written, nothing ran.
        await Task.Delay(300);
        Assert.False(File.Exists(marker));
        Assert.Empty((await Client.GetFromJsonAsync<JsonArray>("/api/vhids"))!);
        var users = (await Client.GetFromJsonAsync<JsonArray>("/api/users"))!;
        Assert.Equal(["admin"], users.Select(u => u!["userName"]!.GetValue<string>()));
        var tokens = (await Client.GetFromJsonAsync<JsonArray>("/api/tokens"))!;
        Assert.DoesNotContain(tokens, t => t!["scope"]!.GetValue<string>() == "admin" && t["name"]!.GetValue<string>() == "x");
        Assert.Equal(365, (await Client.GetFromJsonAsync<JsonObject>("/api/settings"))!["tokenMaxLifetimeDays"]!.GetValue<int>());
        Assert.DoesNotContain("uid=", await prometheus.GetStringAsync("/api/status"), StringComparison.Ordinal);
    }

    private static async Task<JsonNode> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? field = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(text)!;
        if (field is not null)
        {
            Assert.NotNull(body["errors"]![field]);
        }
        return body;
    }

    private static async Task AssertForbiddenAsync(HttpResponseMessage response, string extension, string right)
    {
        var body = await AssertProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal(right, body[extension]!.GetValue<string>());
    }
}
