using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Storage;

public sealed class PersistenceTests
{
    [Fact]
    public async Task Restart_SameDataFile_KeepsConfigurationHistoryMaintenanceAndSettings()
    {
        using var data = new TempDirectory();
        string vhidsBefore;
        long masterTransitionId;
        await using (var first = await TestHost.StartAsync(new TestHostOptions { DataDirectory = data.Path }))
        {
            using var client = await first.CreateAuthenticatedClientAsync();
            var created = await Json.CreateVhidAsync(client, Json.Vhid(advbase: 0, advskew: 10));
            await Json.CreateVhidAsync(client, Json.Vhid(iface: "eth-test1", vhid: 9, vip: "198.18.9.1"));
            (await client.PostAsync($"/api/vhids/{created["id"]}/maintenance", null)).EnsureSuccessStatusCode();
            (await client.PutAsJsonAsync("/api/settings", new { historyMaxEntries = 5000, historyMaxAgeDays = 30 })).EnsureSuccessStatusCode();
            JsonArray? history = null;
            await Eventually.TrueAsync(async () =>
            {
                history = await client.GetFromJsonAsync<JsonArray>("/api/history?vhid=7");
                return history!.Any(t => t!["to"]!.GetValue<string>() == "MASTER");
            }, "vhid 7 to become MASTER");
            masterTransitionId = history!.First(t => t!["to"]!.GetValue<string>() == "MASTER")!["id"]!.GetValue<long>();
            vhidsBefore = (await client.GetFromJsonAsync<JsonArray>("/api/vhids"))!.ToJsonString();
        }

        await using var second = await TestHost.StartAsync(new TestHostOptions { DataDirectory = data.Path });
        using var again = await second.CreateAuthenticatedClientAsync();

        Assert.Equal(vhidsBefore, (await again.GetFromJsonAsync<JsonArray>("/api/vhids"))!.ToJsonString());
        var historyAfter = await again.GetFromJsonAsync<JsonArray>("/api/history?vhid=7&take=1000");
        Assert.Contains(historyAfter!, t => t!["id"]!.GetValue<long>() == masterTransitionId && t["to"]!.GetValue<string>() == "MASTER");
        var settings = await again.GetFromJsonAsync<JsonObject>("/api/settings");
        Assert.Equal(5000, settings!["historyMaxEntries"]!.GetValue<int>());

        // The stored configuration drives the new engine, maintenance included.
        await Eventually.TrueAsync(async () =>
        {
            var status = await again.GetFromJsonAsync<JsonArray>("/api/status");
            return status!.Count == 2 && status.Single(s => s!["vhid"]!.GetValue<int>() == 7)!["maintenance"]!.GetValue<bool>();
        }, "both VHIDs running again with maintenance restored");
    }
}
