using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Api;

/// <summary>The VHID field <c>peers</c> (docs/carp-protocol.md, 5.4 Unicast peers): stored, shown, applied, validated by the engine's rules.</summary>
public sealed class UnicastPeersApiTests() : ApiTestBase(new TestHostOptions { UseFakeEngine = true })
{
    private static object Vhid(params string?[]? peers) =>
        new { @interface = "eth-test0", vhid = 7, advbase = 1, advskew = 0, password = "carp-secret", vip = "198.18.7.1", prefixLength = 24, peers };

    private static string[] Strings(JsonNode? array) => [.. array!.AsArray().Select(n => n!.GetValue<string>())];

    [Fact]
    public async Task Peers_StoredReadAppliedAndShownWithTheUcarpNote_EmptyListBackToMulticast()
    {
        var created = await Json.CreateVhidAsync(Client, Vhid("198.18.7.2", "198.18.7.3"));
        var id = created["id"]!.GetValue<int>();
        Assert.Equal(["198.18.7.2", "198.18.7.3"], Strings(created["peers"]));
        Assert.Equal(["198.18.7.2", "198.18.7.3"], Strings((await Client.GetFromJsonAsync<JsonObject>($"/api/vhids/{id}"))!["peers"]));
        var applied = Assert.Single(Server.Engine!.Applied.Last());
        Assert.Equal([IPAddress.Parse("198.18.7.2"), IPAddress.Parse("198.18.7.3")], applied.Peers);

        var status = Assert.Single((await Client.GetFromJsonAsync<JsonArray>("/api/status"))!)!;
        Assert.Equal(["198.18.7.2", "198.18.7.3"], Strings(status["unicast"]!["peers"]));
        Assert.Contains("A ucarp peer cannot take part: ucarp accepts only adverts sent to 224.0.0.18.", status["unicast"]!["note"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, status["counters"]!["drops"]!["notPeer"]!.GetValue<long>());

        using var put = await Client.PutAsJsonAsync($"/api/vhids/{id}", Vhid());
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Empty(Strings((await Json.ReadAsync(put))["peers"]));
        Assert.False(Assert.Single(Server.Engine.Applied.Last()).Peers.IsUnicast);
        status = Assert.Single((await Client.GetFromJsonAsync<JsonArray>("/api/status"))!)!;
        Assert.Null(status["unicast"]);
        var changes = (await Client.GetFromJsonAsync<JsonArray>("/api/audit"))!.SelectMany(e => Strings(e!["changes"])).ToList();
        Assert.Contains("peers: 198.18.7.2, 198.18.7.3 -> (none)", changes);
    }

    [Fact]
    public async Task Peers_Absent_EmptyListAndMulticast()
    {
        var created = await Json.CreateVhidAsync(Client, Json.Vhid());

        Assert.Empty(Strings(created["peers"]));
        Assert.False(Assert.Single(Server.Engine!.Applied.Last()).Peers.IsUnicast);
    }

    [Theory]
    [InlineData("fd00::2", "peers must be IPv4 for now: IPv6 peers need an IPv6 VIP (not supported yet) (got 'fd00::2')")]
    [InlineData("224.0.0.18", "peers must be a unicast IPv4 address (got '224.0.0.18')")]
    [InlineData("198.18.7.1", "peers must not be the VIP 198.18.7.1: a peer is the other node's own address")]
    [InlineData("198.18.7.2", "peers must not name 198.18.7.2 twice")]
    [InlineData(null, "peers must be a unicast IPv4 address (got '')")]
    public async Task Create_BadPeer_Returns400NamingPeersAndSavesNothing(string? peer, string message)
    {
        var appliesBefore = Server.Engine!.Applied.Count;

        using var response = await Client.PostAsJsonAsync("/api/vhids", Vhid("198.18.7.2", peer));

        var problem = await VhidApiTests.AssertValidationProblemAsync(response, "peers");
        Assert.Equal([message], Strings(problem["errors"]!["peers"]));
        Assert.Empty((await Client.GetFromJsonAsync<JsonArray>("/api/vhids"))!);
        Assert.Equal(appliesBefore, Server.Engine.Applied.Count);
    }

    [Fact]
    public async Task Update_BadPeer_Returns400AndKeepsTheStoredPeers()
    {
        var created = await Json.CreateVhidAsync(Client, Vhid("198.18.7.2"));
        var id = created["id"]!.GetValue<int>();
        var appliesBefore = Server.Engine!.Applied.Count;

        using var response = await Client.PutAsJsonAsync($"/api/vhids/{id}", Vhid("fd00::2"));

        await VhidApiTests.AssertValidationProblemAsync(response, "peers");
        Assert.Equal(["198.18.7.2"], Strings((await Client.GetFromJsonAsync<JsonObject>($"/api/vhids/{id}"))!["peers"]));
        Assert.Equal(appliesBefore, Server.Engine.Applied.Count);
    }

    [Fact]
    public async Task Import_PeersInUcarpOpts_CreatedWithPeers()
    {
        const string Conf = """
            UCARP_INTERFACE=eth-test0
            UCARP_VHID=9
            UCARP_PASSWORD=import-secret
            UCARP_VIP=198.18.9.1
            UCARP_OPTS="--peer 198.18.9.2"
            """;

        using var response = await Client.PostAsJsonAsync("/api/import", new { text = Conf, sourceName = "ucarp.conf" });

        var body = await Json.ReadAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        var id = body["created"]!.AsArray().Single()!.GetValue<int>();
        Assert.Equal(["198.18.9.2"], Strings((await Client.GetFromJsonAsync<JsonObject>($"/api/vhids/{id}"))!["peers"]));
    }
}
