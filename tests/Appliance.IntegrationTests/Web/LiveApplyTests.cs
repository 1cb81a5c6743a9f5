using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.IntegrationTests.Lab;
using Appliance.Lab;
using Tmds.Linux;

namespace Appliance.IntegrationTests.Web;

/// <summary>
/// Two `appliance serve` nodes in the namespace lab, each seeded from the APPLIANCE_* variables on its first
/// start and driven through its own REST API (https://127.0.0.1:8080 inside its namespace, its generated certificate pinned).
/// </summary>
[Collection(LabCollection.Name)]
public sealed class LiveApplyTests
{
    private const string AdminPassword = "lab-admin-password";
    private const string CarpPassword = "lab-carp";
    private const int Vhid = 23;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PutAdvskew_BackupWithPreempt_PreemptsTakesVipBothHistoriesShowIt()
    {
        using var lab = new NetworkLab();
        var vip = lab.AllocateAddress();
        await using var node1 = await ApplianceNode.StartAsync(lab, "n1", vip, advskew: 50);
        await node1.WaitForStateAsync("MASTER", Timeout);
        await using var node2 = await ApplianceNode.StartAsync(lab, "n2", vip, advskew: 100);
        await node2.WaitForStateAsync("BACKUP", Timeout);
        // node2 hears node1's adverts (a peer in its status) before the change.
        await node2.WaitForAsync(s => s["lastPeer"] is not null, "node2 to hear node1", Timeout);
        Assert.True(lab.HasAddress(node1.Node, vip));

        var saved = await node2.GetVhidAsync();
        var body = JsonNode.Parse(saved.ToJsonString())!.AsObject();
        body["advskew"] = 10;
        using (var put = await node2.Client.PutAsJsonAsync($"/api/vhids/{saved["id"]}", body))
        {
            Assert.True(put.IsSuccessStatusCode, $"PUT: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        }

        await node2.WaitForStateAsync("MASTER", Timeout);
        await node1.WaitForStateAsync("BACKUP", Timeout);
        await Eventually.TrueAsync(() => lab.HasAddress(node2.Node, vip) && !lab.HasAddress(node1.Node, vip), "the VIP on node2 only", Timeout);
        Assert.Equal(1, lab.Nodes.Count(n => lab.HasAddress(n, vip)));

        var history2 = await node2.HistoryAsync();
        Assert.Contains(history2, h => Is(h, "BACKUP", "MASTER", "preempt"));
        var history1 = await node1.HistoryAsync();
        Assert.Contains(history1, h => Is(h, "MASTER", "BACKUP", "betterMasterSeen"));
        // The change is audited on node2 only, and node1's configuration is untouched.
        Assert.Equal(50, (await node1.GetVhidAsync())["advskew"]!.GetValue<int>());
    }

    [Fact]
    public async Task Sigterm_LoneMaster_ShutdownTransitionInHistoryAfterRestart()
    {
        using var lab = new NetworkLab();
        var vip = lab.AllocateAddress();
        var node = await ApplianceNode.StartAsync(lab, "n1", vip, advskew: 0);
        await using (node)
        {
            await node.WaitForStateAsync("MASTER", Timeout);
            Assert.True(lab.HasAddress(node.Node, vip));
            node.Process.Kill(LibC.SIGTERM);
            Assert.Equal(0, await node.Process.WaitForExitAsync(Timeout));
        }
        Assert.False(lab.HasAddress(node.Node, vip), "the VIP is released on stop");

        await using var again = await ApplianceNode.StartAsync(lab, "n1", vip, advskew: 0, addNode: node.Node);
        var history = await again.HistoryAsync();
        Assert.Contains(history, h => Is(h, "MASTER", "BACKUP", "shutdown"));
        Assert.Contains("VHIDs are already configured: ignoring", again.Process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondServe_SameDataDirectory_Exits1InUseVipStaysFirstStaysMaster()
    {
        using var lab = new NetworkLab();
        var vip = lab.AllocateAddress();
        await using var node = await ApplianceNode.StartAsync(lab, "n1", vip, advskew: 0);
        await node.WaitForStateAsync("MASTER", Timeout);
        Assert.True(lab.HasAddress(node.Node, vip));
        var data = Path.Combine(lab.WorkDirectory, "data-n1");
        var store = Path.Combine(data, "appliance.db");
        var before = await File.ReadAllBytesAsync(store);
        var historyBefore = (await node.HistoryAsync()).ToJsonString();

        // Another port, so only the data directory stands in its way.
        using var second = ApplianceBinary.Start(lab, node.Node, ["serve", "--urls", "https://0.0.0.0:8081", "--data", data],
            new Dictionary<string, string> { ["APPLIANCE_ADMIN_PASSWORD"] = AdminPassword });
        Assert.Equal(1, await second.WaitForExitAsync(Timeout));

        Assert.Contains($"appliance: data directory {data} is in use by process {node.Process.Pid}", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", second.Output, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(store));
        // Several advert intervals later the VIP is still on the interface and the first node still MASTER.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.True(lab.HasAddress(node.Node, vip), "the VIP stays on " + node.Node.Name);
        var status = (await node.Client.GetFromJsonAsync<JsonArray>("/api/status"))!.Single(s => s!["vhid"]!.GetValue<int>() == Vhid)!;
        Assert.Equal("MASTER", status["state"]!.GetValue<string>());
        Assert.Equal(historyBefore, (await node.HistoryAsync()).ToJsonString());
    }

    private static bool Is(JsonNode? entry, string from, string to, string cause) =>
        entry!["from"]!.GetValue<string>() == from && entry["to"]!.GetValue<string>() == to && entry["cause"]!.GetValue<string>() == cause;

    /// <summary>One `appliance serve` in a lab node with its API client (connections made inside the namespace).</summary>
    private sealed class ApplianceNode : IAsyncDisposable
    {
        private readonly ServeSession _session;

        private ApplianceNode(ServeSession session) => _session = session;

        public LabNode Node => _session.Node;
        public LabProcess Process => _session.Process;
        public HttpClient Client => _session.Client;

        public static async Task<ApplianceNode> StartAsync(NetworkLab lab, string name, IPAddress vip, int advskew, LabNode? addNode = null)
        {
            var node = addNode ?? lab.AddNode(name);
            var data = Path.Combine(lab.WorkDirectory, $"data-{name}");
            var env = new Dictionary<string, string>
            {
                ["APPLIANCE_VHID_INTERFACE"] = node.Interface,
                ["APPLIANCE_VHID"] = Vhid.ToString(CultureInfo.InvariantCulture),
                ["APPLIANCE_VIP"] = $"{vip}/{NetworkLab.PrefixLength}",
                ["APPLIANCE_PASSWORD"] = CarpPassword,
                ["APPLIANCE_SRCIP"] = node.Address.ToString(),
                ["APPLIANCE_ADVSKEW"] = advskew.ToString(CultureInfo.InvariantCulture),
                ["APPLIANCE_PREEMPT"] = "yes",
            };
            return new ApplianceNode(await ServeSession.StartAsync(lab, node, data, AdminPassword, env));
        }

        public async Task<JsonNode> GetVhidAsync() => (await Client.GetFromJsonAsync<JsonArray>("/api/vhids"))!.Single()!;

        public async Task<JsonArray> HistoryAsync() => (await Client.GetFromJsonAsync<JsonArray>($"/api/history?vhid={Vhid}"))!;

        public Task WaitForStateAsync(string state, TimeSpan timeout) =>
            WaitForAsync(s => s["state"]!.GetValue<string>() == state, $"{Node.Name} to be {state}", timeout);

        public async Task WaitForAsync(Func<JsonNode, bool> condition, string what, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            string last = "";
            while (DateTime.UtcNow < deadline)
            {
                var all = await Client.GetFromJsonAsync<JsonArray>("/api/status");
                last = all!.ToJsonString();
                if (all.Any(s => s!["vhid"]!.GetValue<int>() == Vhid && condition(s)))
                {
                    return;
                }
                await Task.Delay(100);
            }
            Assert.Fail($"timed out waiting for {what}; last status {last}; output:\n{Process.Output}");
        }

        public ValueTask DisposeAsync() => _session.DisposeAsync();
    }
}
