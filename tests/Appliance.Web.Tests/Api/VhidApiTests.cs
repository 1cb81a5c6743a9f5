using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Engine.StateMachine;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Api;

public sealed class VhidApiTests() : ApiTestBase(new TestHostOptions { UseFakeEngine = true })
{
    [Fact]
    public async Task Crud_ValidVhid_CreatesReadsUpdatesAndDeletes()
    {
        var created = await Json.CreateVhidAsync(Client, Json.Vhid());
        var id = created["id"]!.GetValue<int>();
        Assert.Equal("eth-test0/7", created["key"]!.GetValue<string>());
        Assert.True(created["hasPassword"]!.GetValue<bool>());
        Assert.Equal(24, created["prefixLength"]!.GetValue<int>());

        var list = await Client.GetFromJsonAsync<JsonArray>("/api/vhids");
        Assert.Single(list!);
        var one = await Client.GetFromJsonAsync<JsonObject>($"/api/vhids/{id}");
        Assert.Equal("198.18.7.1", one!["vip"]!.GetValue<string>());

        using var put = await Client.PutAsJsonAsync($"/api/vhids/{id}", Json.Vhid(advskew: 100, password: ""));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var updated = await Json.ReadAsync(put);
        Assert.Equal(100, updated["advskew"]!.GetValue<int>());
        Assert.True(updated["hasPassword"]!.GetValue<bool>());

        using var delete = await Client.DeleteAsync($"/api/vhids/{id}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var gone = await Client.GetAsync($"/api/vhids/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Empty((await Client.GetFromJsonAsync<JsonArray>("/api/vhids"))!);
    }

    [Fact]
    public async Task Save_AnyChange_AppliedLiveToEngineWithManagedVip()
    {
        var created = await Json.CreateVhidAsync(Client, Json.Vhid());
        var applied = Server.Engine!.Applied.Last();
        var config = Assert.Single(applied);
        Assert.Equal("eth-test0/7", config.Key);
        Assert.True(config.ManageVip);
        Assert.Equal(24, config.PrefixLength);
        Assert.Equal("carp-secret", config.Password);

        // A PUT without a password keeps the stored one (write-only, not erased).
        using var put = await Client.PutAsJsonAsync($"/api/vhids/{created["id"]}", Json.Vhid(advskew: 20, password: ""));
        put.EnsureSuccessStatusCode();
        var reapplied = Assert.Single(Server.Engine.Applied.Last());
        Assert.Equal(20, reapplied.AdvSkew);
        Assert.Equal("carp-secret", reapplied.Password);
    }

    [Theory]
    [InlineData("vhid", "eth-test0", 300, "198.18.7.1", 0)]
    [InlineData("advskew", "eth-test0", 7, "198.18.7.1", 255)]
    [InlineData("vip", "eth-test0", 7, "not-an-ip", 0)]
    [InlineData("vip", "eth-test0", 7, "1", 0)]
    [InlineData("interface", "eth-nope9", 7, "198.18.7.1", 0)]
    public async Task Create_BadField_Returns400NamingFieldAndWritesNothing(string field, string iface, int vhid, string vip, int advskew)
    {
        var appliesBefore = Server.Engine!.Applied.Count;
        using var response = await Client.PostAsJsonAsync("/api/vhids", Json.Vhid(iface, vhid, vip, advskew: advskew));

        await AssertValidationProblemAsync(response, field);
        Assert.Empty((await Client.GetFromJsonAsync<JsonArray>("/api/vhids"))!);
        Assert.Equal(appliesBefore, Server.Engine.Applied.Count);
    }

    [Fact]
    public async Task ReplayCheck_DefaultStrict_RelaxedStoredReadAndApplied_BadValueNamed()
    {
        var created = await Json.CreateVhidAsync(Client, Json.Vhid());
        Assert.Equal("strict", created["replayCheck"]!.GetValue<string>());
        Assert.Equal(ReplayCheck.Strict, Assert.Single(Server.Engine!.Applied.Last()).ReplayCheck);

        var relaxed = new { @interface = "eth-test0", vhid = 7, advbase = 1, advskew = 0, vip = "198.18.7.1", prefixLength = 24, replayCheck = "relaxed" };
        using var put = await Client.PutAsJsonAsync($"/api/vhids/{created["id"]}", relaxed);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("relaxed", (await Json.ReadAsync(put))["replayCheck"]!.GetValue<string>());
        var one = await Client.GetFromJsonAsync<JsonObject>($"/api/vhids/{created["id"]}");
        Assert.Equal("relaxed", one!["replayCheck"]!.GetValue<string>());
        Assert.Equal(ReplayCheck.Relaxed, Assert.Single(Server.Engine.Applied.Last()).ReplayCheck);

        using var bad = await Client.PutAsJsonAsync($"/api/vhids/{created["id"]}", relaxed with { replayCheck = "off" });
        var problem = await AssertValidationProblemAsync(bad, "replayCheck");
        Assert.Contains("must be strict or relaxed (got 'off')", problem["errors"]!["replayCheck"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlapDamping_DefaultsWhenAbsent_PartObjectStoredReadAndApplied_BadValuesKeyedByMember()
    {
        var created = await Json.CreateVhidAsync(Client, Json.Vhid());
        var flap = created["flapDamping"]!;
        Assert.Equal(
            (true, 1000, 3000, 750, 60, 600),
            (flap["enabled"]!.GetValue<bool>(), flap["penalty"]!.GetValue<int>(), flap["suppressThreshold"]!.GetValue<int>(),
                flap["reuseThreshold"]!.GetValue<int>(), flap["halfLifeSeconds"]!.GetValue<int>(), flap["maxSuppressSeconds"]!.GetValue<int>()));
        Assert.Equal(FlapDampingConfig.Default, Assert.Single(Server.Engine!.Applied.Last()).FlapDamping);

        // Members left out keep their defaults.
        var body = new { @interface = "eth-test0", vhid = 7, advbase = 1, advskew = 0, vip = "198.18.7.1", prefixLength = 24,
            flapDamping = new { enabled = false, halfLifeSeconds = 2 } };
        using var put = await Client.PutAsJsonAsync($"/api/vhids/{created["id"]}", body);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var one = await Client.GetFromJsonAsync<JsonObject>($"/api/vhids/{created["id"]}");
        Assert.False(one!["flapDamping"]!["enabled"]!.GetValue<bool>());
        Assert.Equal(2, one["flapDamping"]!["halfLifeSeconds"]!.GetValue<int>());
        Assert.Equal(3000, one["flapDamping"]!["suppressThreshold"]!.GetValue<int>());
        Assert.Equal(FlapDampingConfig.Default with { Enabled = false, HalfLife = TimeSpan.FromSeconds(2) }, Assert.Single(Server.Engine.Applied.Last()).FlapDamping);

        using var bad = await Client.PutAsJsonAsync($"/api/vhids/{created["id"]}", body with
        {
            flapDamping = new { enabled = true, halfLifeSeconds = 0 },
        });
        var problem = await AssertValidationProblemAsync(bad, "flapDamping.halfLifeSeconds");
        Assert.Equal("flapDamping.halfLifeSeconds must be between 1 and 3600 (got '0')",
            problem["errors"]!["flapDamping.halfLifeSeconds"]![0]!.GetValue<string>());
        var crossedBody = new { @interface = "eth-test0", vhid = 7, advbase = 1, advskew = 0, vip = "198.18.7.1", prefixLength = 24,
            flapDamping = new { suppressThreshold = 500 } };
        using var crossed = await Client.PutAsJsonAsync($"/api/vhids/{created["id"]}", crossedBody);
        problem = await AssertValidationProblemAsync(crossed, "flapDamping.reuseThreshold");
        Assert.Equal("flapDamping.reuseThreshold must be below the suppress threshold 500 (got the default 750)",
            problem["errors"]!["flapDamping.reuseThreshold"]![0]!.GetValue<string>());
        // Nothing of the refused updates was stored.
        Assert.Equal(2, (await Client.GetFromJsonAsync<JsonObject>($"/api/vhids/{created["id"]}"))!["flapDamping"]!["halfLifeSeconds"]!.GetValue<int>());
    }

    [Fact]
    public async Task Create_SeveralBadFields_NamesEveryOne()
    {
        using var response = await Client.PostAsJsonAsync("/api/vhids", new { @interface = "nope0", vhid = 300, advskew = 255, vip = "x", password = "" });

        var problem = await AssertValidationProblemAsync(response, "vhid");
        var errors = problem["errors"]!.AsObject();
        Assert.All(new[] { "interface", "vhid", "advskew", "vip", "password" }, f => Assert.True(errors.ContainsKey(f), f));
    }

    [Fact]
    public async Task Create_DuplicateVhidOnSameInterface_Returns400AndWritesNothing()
    {
        await Json.CreateVhidAsync(Client, Json.Vhid());

        using var duplicate = await Client.PostAsJsonAsync("/api/vhids", Json.Vhid(vip: "198.18.7.2"));
        await AssertValidationProblemAsync(duplicate, "vhid");
        Assert.Single((await Client.GetFromJsonAsync<JsonArray>("/api/vhids"))!);

        // The same vhid on another interface is a different virtual host.
        await Json.CreateVhidAsync(Client, Json.Vhid(iface: "eth-test1"));
        Assert.Equal(2, (await Client.GetFromJsonAsync<JsonArray>("/api/vhids"))!.Count);
    }

    [Fact]
    public async Task Update_BadInput_Returns400AndKeepsStoredVhid()
    {
        var created = await Json.CreateVhidAsync(Client, Json.Vhid());
        var id = created["id"]!.GetValue<int>();

        using var response = await Client.PutAsJsonAsync($"/api/vhids/{id}", Json.Vhid(vhid: 300, advskew: 255));

        await AssertValidationProblemAsync(response, "vhid");
        var stored = await Client.GetFromJsonAsync<JsonObject>($"/api/vhids/{id}");
        Assert.Equal(7, stored!["vhid"]!.GetValue<int>());
        Assert.Equal(0, stored["advskew"]!.GetValue<int>());
    }

    [Fact]
    public async Task UnknownId_GetPutDeleteMaintenance_Return404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/vhids/999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.PutAsJsonAsync("/api/vhids/999", Json.Vhid())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.DeleteAsync("/api/vhids/999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.PostAsync("/api/vhids/999/maintenance", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.DeleteAsync("/api/vhids/999/maintenance")).StatusCode);
    }

    [Fact]
    public async Task Create_SubSecondTiming_ReturnsEngineIntervals()
    {
        var created = await Json.CreateVhidAsync(Client, Json.Vhid(advbase: 0, advskew: 10));

        Assert.Equal(CarpTiming.AdvertInterval(0, 10).TotalMilliseconds, created["advertIntervalMs"]!.GetValue<double>());
        Assert.Equal(CarpTiming.MasterDown(0, 10, 3).TotalMilliseconds, created["masterDownMs"]!.GetValue<double>());
        var status = await Client.GetFromJsonAsync<JsonArray>("/api/status");
        Assert.Equal(CarpTiming.MasterDown(0, 10, 3).TotalMilliseconds, status![0]!["masterDownMs"]!.GetValue<double>());
    }

    [Fact]
    public async Task Create_AdvbaseAndAdvskewZeroOrDeadratioZero_Returns400()
    {
        using var both = await Client.PostAsJsonAsync("/api/vhids", Json.Vhid(advbase: 0, advskew: 0));
        await AssertValidationProblemAsync(both, "advbase");
        using var dead = await Client.PostAsJsonAsync("/api/vhids", new { @interface = "eth-test0", vhid = 7, password = "p", vip = "198.18.7.1", deadratio = 0 });
        await AssertValidationProblemAsync(dead, "deadratio");
    }

    [Fact]
    public async Task Maintenance_PostThenDelete_PersistsAndDrivesEngine()
    {
        var created = await Json.CreateVhidAsync(Client, Json.Vhid());
        var id = created["id"]!.GetValue<int>();

        using var enter = await Client.PostAsync($"/api/vhids/{id}/maintenance", null);
        Assert.Equal(HttpStatusCode.OK, enter.StatusCode);
        Assert.True((await Json.ReadAsync(enter))["maintenance"]!.GetValue<bool>());
        Assert.True(Server.Engine!.MaintenanceCalls["eth-test0/7"]);
        var status = await Client.GetFromJsonAsync<JsonArray>("/api/status");
        Assert.True(status![0]!["maintenance"]!.GetValue<bool>());

        using var leave = await Client.DeleteAsync($"/api/vhids/{id}/maintenance");
        Assert.Equal(HttpStatusCode.OK, leave.StatusCode);
        Assert.False((await Json.ReadAsync(leave))["maintenance"]!.GetValue<bool>());
        Assert.False(Server.Engine.MaintenanceCalls["eth-test0/7"]);

        var audit = await Client.GetFromJsonAsync<JsonArray>("/api/audit");
        Assert.Contains(audit!, e => e!["action"]!.GetValue<string>() == "vhid.maintenance.enter" && e["user"]!.GetValue<string>() == "admin");
    }

    [Fact]
    public async Task Password_AfterCreateAndUpdate_NeverInAnyResponseOrAudit()
    {
        const string secret = "zz-carp-pass-1";
        var created = await Json.CreateVhidAsync(Client, Json.Vhid(password: secret));
        using var put = await Client.PutAsJsonAsync($"/api/vhids/{created["id"]}", Json.Vhid(password: "zz-carp-pass-2"));
        put.EnsureSuccessStatusCode();
        var bodies = new List<string> { created.ToJsonString(), await put.Content.ReadAsStringAsync() };
        foreach (var path in new[] { "/api/vhids", $"/api/vhids/{created["id"]}", "/api/status", "/api/history", "/api/audit", "/metrics", "/openapi/v1.json" })
        {
            using var response = await Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            bodies.Add(await response.Content.ReadAsStringAsync());
        }

        Assert.All(bodies, body => Assert.DoesNotContain("zz-carp-pass", body, StringComparison.Ordinal));
        Assert.DoesNotContain("\"password\"", bodies[0], StringComparison.Ordinal);
        var audit = await Client.GetFromJsonAsync<JsonArray>("/api/audit");
        Assert.Contains(audit!, e => e!["changes"]!.AsArray().Any(c => c!.GetValue<string>() == "password: changed"));
    }

    internal static async Task<JsonNode> AssertValidationProblemAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal(400, problem["status"]!.GetValue<int>());
        Assert.True(problem["errors"]!.AsObject().ContainsKey(field), $"no error for '{field}' in {text}");
        return problem;
    }
}
