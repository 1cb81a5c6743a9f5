using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Engine.StateMachine;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Api;

public sealed class MonitoringApiTests() : ApiTestBase(new TestHostOptions { UseFakeEngine = true })
{
    [Fact]
    public async Task History_VhidAndTake_NewestFirstFiltered()
    {
        await Json.CreateVhidAsync(Client, Json.Vhid());
        await Json.CreateVhidAsync(Client, Json.Vhid(vhid: 8, vip: "198.18.8.1"));
        Server.Engine!.RaiseTransition("eth-test0/7", CarpState.Backup, TransitionCause.Startup);
        Server.Engine.RaiseTransition("eth-test0/8", CarpState.Backup, TransitionCause.Startup);
        Server.Engine.RaiseTransition("eth-test0/7", CarpState.Master, TransitionCause.MasterDownTimeout);
        Server.Engine.RaiseTransition("eth-test0/7", CarpState.Backup, TransitionCause.BetterMasterSeen);
        await WaitForHistoryAsync(4);

        var latest = await Client.GetFromJsonAsync<JsonArray>("/api/history?vhid=7&take=2");

        Assert.Equal(2, latest!.Count);
        Assert.Equal("betterMasterSeen", latest[0]!["cause"]!.GetValue<string>());
        Assert.Equal("masterDownTimeout", latest[1]!["cause"]!.GetValue<string>());
        Assert.True(latest[0]!["id"]!.GetValue<long>() > latest[1]!["id"]!.GetValue<long>());
        Assert.All(latest, t => Assert.Equal(7, t!["vhid"]!.GetValue<int>()));
        Assert.Equal(4, (await Client.GetFromJsonAsync<JsonArray>("/api/history"))!.Count);
        Assert.Equal(4, (await Client.GetFromJsonAsync<JsonArray>("/api/history?vhid=&take="))!.Count);
        using var bad = await Client.GetAsync("/api/history?take=0");
        await VhidApiTests.AssertValidationProblemAsync(bad, "take");
        using var notNumber = await Client.GetAsync("/api/history?vhid=abc");
        await VhidApiTests.AssertValidationProblemAsync(notNumber, "vhid");
    }

    [Fact]
    public async Task Status_PeerAndCounters_ShownPerVhid()
    {
        await Json.CreateVhidAsync(Client, Json.Vhid());

        var status = await Client.GetFromJsonAsync<JsonArray>("/api/status");

        var vhid = Assert.Single(status!)!;
        Assert.Equal("INIT", vhid["state"]!.GetValue<string>());
        Assert.Null(vhid["lastPeer"]);
        Assert.Equal(0, vhid["counters"]!["drops"]!["badTtl"]!.GetValue<long>());
        Assert.Equal(1000, vhid["advertIntervalMs"]!.GetValue<double>());
        Assert.Equal(3000, vhid["masterDownMs"]!.GetValue<double>());
    }

    [Fact]
    public async Task OpenApi_Authenticated_DescribesTheApi()
    {
        var document = await Client.GetFromJsonAsync<JsonObject>("/openapi/v1.json");

        var paths = document!["paths"]!.AsObject();
        Assert.True(paths.ContainsKey("/api/vhids/{id}"), string.Join(", ", paths.Select(p => p.Key)));
        Assert.True(paths.ContainsKey("/api/auth/token"));
        Assert.True(paths.ContainsKey("/api/history"));
    }

    [Fact]
    public async Task Settings_BadRetention_Returns400AndKeepsOld()
    {
        using var bad = await Client.PutAsJsonAsync("/api/settings", new { historyMaxEntries = 0, historyMaxAgeDays = 0 });

        var problem = await VhidApiTests.AssertValidationProblemAsync(bad, "historyMaxEntries");
        Assert.True(problem["errors"]!.AsObject().ContainsKey("historyMaxAgeDays"));
        var settings = await Client.GetFromJsonAsync<JsonObject>("/api/settings");
        Assert.Equal(100_000, settings!["historyMaxEntries"]!.GetValue<int>());
    }

    private Task WaitForHistoryAsync(int count) => Eventually.TrueAsync(
        async () => (await Client.GetFromJsonAsync<JsonArray>("/api/history"))!.Count >= count, $"{count} history entries");
}
