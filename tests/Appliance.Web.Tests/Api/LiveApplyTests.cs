using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Web.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Web.Tests.Api;

/// <summary>
/// The real CarpEngine driven through the API, over the in-memory data plane, on a fake engine clock: what
/// must not happen is checked by running that clock on, not by sleeping.
/// </summary>
public sealed class LiveApplyTests : ApiTestBase
{
    private static readonly IPAddress Vip7 = IPAddress.Parse("198.18.7.1");

    private readonly FakeTimeProvider _clock;

    public LiveApplyTests()
        : this(new FakeTimeProvider(DateTimeOffset.UtcNow))
    {
    }

    private LiveApplyTests(FakeTimeProvider clock)
        : base(new TestHostOptions { EngineClock = clock }) => _clock = clock;

    [Fact]
    public async Task Start_NoVhidConfigured_SendsNothingHoweverLong()
    {
        _clock.Advance(TimeSpan.FromMinutes(10));

        Assert.Empty(Server.DataPlane.SentPackets);
        Assert.Empty(Server.DataPlane.GratuitousArps);
        Assert.Empty((await Client.GetFromJsonAsync<JsonArray>("/api/status"))!);
    }

    [Fact]
    public async Task Save_OtherVhidChanged_UnchangedMasterKeepsVipAndState()
    {
        await CreateMasterAsync(Json.Vhid(advskew: 10), 7);
        var transitionsBefore = (await Client.GetFromJsonAsync<JsonArray>("/api/history?vhid=7"))!.Count;

        var other = await Json.CreateVhidAsync(Client, Json.Vhid(vhid: 8, vip: "198.18.8.1", advskew: 20));
        (await Client.PutAsJsonAsync($"/api/vhids/{other["id"]}", Json.Vhid(vhid: 8, vip: "198.18.8.2", advskew: 30))).EnsureSuccessStatusCode();
        _clock.Advance(TimeSpan.FromSeconds(4));
        await WaitForStateAsync(8, "MASTER");

        Assert.Equal(transitionsBefore, (await Client.GetFromJsonAsync<JsonArray>("/api/history?vhid=7"))!.Count);
        Assert.True(Server.DataPlane.HasAddress("eth-test0", Vip7));
        Assert.Equal("MASTER", (await StatusAsync(7))["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Maintenance_LoneMaster_StaysMasterAndSaysWhy()
    {
        var created = await CreateMasterAsync(Json.Vhid(advskew: 10), 7);

        using var response = await Client.PostAsync($"/api/vhids/{created["id"]}/maintenance", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Eventually.TrueAsync(async () => (await StatusAsync(7))["maintenance"]!.GetValue<bool>(), "maintenance in the status");

        // A minute of engine time with no peer to hand over to, a second at a time.
        for (var i = 0; i < 60; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
        var status = await StatusAsync(7);
        Assert.Equal("MASTER", status["state"]!.GetValue<string>());
        Assert.Equal("maintenance: waiting for a peer to take over", status["message"]!.GetValue<string>());
        Assert.True(Server.DataPlane.HasAddress("eth-test0", Vip7));
    }

    /// <summary>Creates the VHID (advbase 1) and runs the engine's clock past its master-down.</summary>
    private async Task<JsonNode> CreateMasterAsync(object body, int vhid)
    {
        var created = await Json.CreateVhidAsync(Client, body);
        await WaitForStateAsync(vhid, "BACKUP");
        _clock.Advance(TimeSpan.FromSeconds(4));
        await WaitForStateAsync(vhid, "MASTER");
        return created;
    }

    private async Task<JsonNode> StatusAsync(int vhid) =>
        (await Client.GetFromJsonAsync<JsonArray>("/api/status"))!.Single(s => s!["vhid"]!.GetValue<int>() == vhid)!;

    private Task WaitForStateAsync(int vhid, string state) => Eventually.TrueAsync(async () =>
    {
        var all = await Client.GetFromJsonAsync<JsonArray>("/api/status");
        return all!.Any(s => s!["vhid"]!.GetValue<int>() == vhid && s["state"]!.GetValue<string>() == state);
    }, $"vhid {vhid} to be {state}");
}
