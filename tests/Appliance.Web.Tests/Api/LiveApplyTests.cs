using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Api;

/// <summary>The real CarpEngine driven through the API, over the in-memory data plane.</summary>
public sealed class LiveApplyTests : ApiTestBase
{
    private static readonly IPAddress Vip7 = IPAddress.Parse("198.18.7.1");

    [Fact]
    public async Task Start_NoVhidConfigured_SendsNothing()
    {
        await Task.Delay(300);

        Assert.Empty(Server.DataPlane.SentPackets);
        Assert.Empty(Server.DataPlane.GratuitousArps);
        Assert.Empty((await Client.GetFromJsonAsync<JsonArray>("/api/status"))!);
    }

    [Fact]
    public async Task Save_OtherVhidChanged_UnchangedMasterKeepsVipAndState()
    {
        await Json.CreateVhidAsync(Client, Json.Vhid(advbase: 0, advskew: 10));
        await WaitForStateAsync(7, "MASTER");
        var transitionsBefore = (await Client.GetFromJsonAsync<JsonArray>("/api/history?vhid=7"))!.Count;

        var other = await Json.CreateVhidAsync(Client, Json.Vhid(vhid: 8, vip: "198.18.8.1", advbase: 0, advskew: 20));
        (await Client.PutAsJsonAsync($"/api/vhids/{other["id"]}", Json.Vhid(vhid: 8, vip: "198.18.8.2", advbase: 0, advskew: 30))).EnsureSuccessStatusCode();
        await WaitForStateAsync(8, "MASTER");

        Assert.Equal(transitionsBefore, (await Client.GetFromJsonAsync<JsonArray>("/api/history?vhid=7"))!.Count);
        Assert.True(Server.DataPlane.HasAddress("eth-test0", Vip7));
        Assert.Equal("MASTER", (await StatusAsync(7))["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Maintenance_LoneMaster_StaysMasterAndSaysWhy()
    {
        var created = await Json.CreateVhidAsync(Client, Json.Vhid(advbase: 0, advskew: 10));
        await WaitForStateAsync(7, "MASTER");

        using var response = await Client.PostAsync($"/api/vhids/{created["id"]}/maintenance", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await Eventually.TrueAsync(async () => (await StatusAsync(7))["maintenance"]!.GetValue<bool>(), "maintenance in the status");
        await Task.Delay(300);
        var status = await StatusAsync(7);
        Assert.Equal("MASTER", status["state"]!.GetValue<string>());
        Assert.Equal("maintenance: waiting for a peer to take over", status["message"]!.GetValue<string>());
        Assert.True(Server.DataPlane.HasAddress("eth-test0", Vip7));
    }

    private async Task<JsonNode> StatusAsync(int vhid) =>
        (await Client.GetFromJsonAsync<JsonArray>("/api/status"))!.Single(s => s!["vhid"]!.GetValue<int>() == vhid)!;

    private Task WaitForStateAsync(int vhid, string state) => Eventually.TrueAsync(async () =>
    {
        var all = await Client.GetFromJsonAsync<JsonArray>("/api/status");
        return all!.Any(s => s!["vhid"]!.GetValue<int>() == vhid && s["state"]!.GetValue<string>() == state);
    }, $"vhid {vhid} to be {state}");
}
