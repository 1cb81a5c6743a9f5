using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.IntegrationTests.Lab;
using Appliance.Lab;
using Tmds.Linux;
using Xunit.Abstractions;

namespace Appliance.IntegrationTests.Web;

/// <summary>
/// docs/storage.md: a write the API answered with a 2xx is in the store after the process is killed. `appliance serve`
/// in a lab namespace, four clients writing through its REST API (VHIDs created disabled, so nothing advertises; their
/// advskew updated; users; tokens; settings), kill -9 at a random moment while writes are in flight, restart on the
/// same data directory: it opens, and every acknowledged write is there.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class DurabilityTests(ITestOutputHelper output)
{
    private const string AdminPassword = "lab-admin-password";
    private const int Rounds = 8;
    private const int MaxVhids = 200; // of 255 VHID numbers on the one interface
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan TestBudget = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task KillMinus9_WhileClientsWrite_EveryAcknowledgedWriteThereAfterRestart()
    {
        using var lab = new NetworkLab();
        var node = lab.AddNode("d1");
        var vip = lab.AllocateAddress();
        var data = Path.Combine(lab.WorkDirectory, "data-d1");
        var acknowledged = new Acknowledged();
        var random = new Random();
        var started = DateTime.UtcNow;

        for (var round = 1; round <= Rounds; round++)
        {
            Assert.True(DateTime.UtcNow - started < TestBudget, $"round {round} not reached within {TestBudget}");
            await using var serve = await ServeSession.StartAsync(lab, node, data, AdminPassword);
            await VerifyAsync(serve, acknowledged, $"restart before round {round}");
            // The admin creates hundreds of tokens over the rounds: above the default tokenMaxPerUser (docs/limits.md).
            (await serve.Client.PutAsJsonAsync("/api/settings", SettingsBody(acknowledged.HistoryMaxEntries))).EnsureSuccessStatusCode();

            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var writers = new[]
            {
                WriteVhidsAsync(serve.Client, node.Interface, vip.ToString(), acknowledged, stop.Token),
                WriteUsersAsync(serve.Client, round, acknowledged, stop.Token),
                WriteTokensAsync(serve.Client, round, acknowledged, stop.Token),
                WriteSettingsAsync(serve.Client, acknowledged, stop.Token),
            };
            // Writes in flight first, then the kill at a random moment of the next 1.5 s.
            await Eventually.TrueAsync(() => acknowledged.Total > acknowledged.TotalAtRoundStart + 5, "writes to be acknowledged", Timeout);
            await Task.Delay(random.Next(0, 1500));
            serve.Process.Kill(LibC.SIGKILL);
            await serve.Process.WaitForExitAsync(Timeout);
            await stop.CancelAsync();
            await Task.WhenAll(writers).WaitAsync(Timeout);
            output.WriteLine($"round {round}: killed pid {serve.Process.Pid}; acknowledged so far {acknowledged.Describe()}");
            acknowledged.StartRound();
        }

        await using var last = await ServeSession.StartAsync(lab, node, data, AdminPassword);
        var stored = await VerifyAsync(last, acknowledged, "restart after the last round");
        Assert.True(acknowledged.Total > Rounds * 5, $"too few acknowledged writes to show anything: {acknowledged.Describe()}");
        output.WriteLine($"final: {stored}");
    }

    /// <summary>Every acknowledged write is in what the restarted serve reads back; returns the stored counts.</summary>
    private async Task<string> VerifyAsync(ServeSession serve, Acknowledged acknowledged, string when)
    {
        var vhids = (await serve.Client.GetFromJsonAsync<JsonArray>("/api/vhids"))!
            .ToDictionary(v => v!["id"]!.GetValue<int>(), v => v!["advskew"]!.GetValue<int>());
        var users = (await serve.Client.GetFromJsonAsync<JsonArray>("/api/users"))!.Select(u => u!["userName"]!.GetValue<string>()).ToHashSet();
        var tokens = (await serve.Client.GetFromJsonAsync<JsonArray>("/api/tokens"))!.Select(t => t!["id"]!.GetValue<int>()).ToHashSet();
        var historyMaxEntries = (await serve.Client.GetFromJsonAsync<JsonNode>("/api/settings"))!["historyMaxEntries"]!.GetValue<int>();

        var counts = $"stored vhids {vhids.Count}, users {users.Count - 1} (+admin), tokens {tokens.Count}, historyMaxEntries {historyMaxEntries}";
        output.WriteLine($"{when}: acknowledged {acknowledged.Describe()}; {counts}");
        foreach (var (id, advskew) in acknowledged.Vhids)
        {
            Assert.True(vhids.TryGetValue(id, out var storedSkew), $"{when}: acknowledged VHID id {id} missing");
            // One writer per VHID with growing values: the store holds the acknowledged one or a later (unacknowledged) one.
            Assert.True(storedSkew >= advskew, $"{when}: VHID id {id} advskew {storedSkew}, acknowledged {advskew}");
        }
        Assert.All(acknowledged.Users, name => Assert.True(users.Contains(name), $"{when}: acknowledged user {name} missing"));
        Assert.All(acknowledged.Tokens, id => Assert.True(tokens.Contains(id), $"{when}: acknowledged token id {id} missing"));
        Assert.True(historyMaxEntries >= acknowledged.HistoryMaxEntries, $"{when}: historyMaxEntries {historyMaxEntries}, acknowledged {acknowledged.HistoryMaxEntries}");
        Assert.True(vhids.Count >= acknowledged.Vhids.Count && users.Count - 1 >= acknowledged.Users.Count && tokens.Count >= acknowledged.Tokens.Count);
        return counts;
    }

    /// <summary>
    /// Creates disabled VHIDs and raises the advskew of the one created last, alternately. Every writer stops at its
    /// first request that gets no answer: the kill cut it (the next would only be refused).
    /// </summary>
    private static async Task WriteVhidsAsync(HttpClient client, string iface, string vip, Acknowledged acknowledged, CancellationToken cancellationToken)
    {
        var update = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (update && acknowledged.LastVhid is { } id && acknowledged.Vhids[id] < 250)
            {
                var advskew = acknowledged.Vhids[id] + 1;
                var body = VhidBody(iface, acknowledged.VhidNumbers[id], vip, advskew);
                if (await IsAcknowledgedAsync(() => client.PutAsJsonAsync($"/api/vhids/{id}", body, cancellationToken)) is null)
                {
                    return;
                }
                acknowledged.Vhids[id] = advskew;
            }
            else if (acknowledged.Vhids.Count < MaxVhids)
            {
                var number = acknowledged.NextVhidNumber();
                if (await IsAcknowledgedAsync(() => client.PostAsJsonAsync("/api/vhids", VhidBody(iface, number, vip, 0), cancellationToken)) is not { } created)
                {
                    return;
                }
                acknowledged.AddVhid(created["id"]!.GetValue<int>(), number);
            }
            update = !update;
        }
    }

    private static JsonObject VhidBody(string iface, int vhid, string vip, int advskew) => new()
    {
        ["interface"] = iface,
        ["vhid"] = vhid,
        ["advbase"] = 1,
        ["advskew"] = advskew,
        ["password"] = "durable",
        ["vip"] = vip,
        ["prefixLength"] = NetworkLab.PrefixLength,
        ["enabled"] = false,
    };

    private static async Task WriteUsersAsync(HttpClient client, int round, Acknowledged acknowledged, CancellationToken cancellationToken)
    {
        for (var i = 0; !cancellationToken.IsCancellationRequested; i++)
        {
            var name = $"u{round}-{i}";
            if (await IsAcknowledgedAsync(() => client.PostAsJsonAsync("/api/users", new { username = name, password = "durable-password", role = "viewer" }, cancellationToken)) is null)
            {
                return;
            }
            acknowledged.Users.Add(name);
        }
    }

    private static async Task WriteTokensAsync(HttpClient client, int round, Acknowledged acknowledged, CancellationToken cancellationToken)
    {
        for (var i = 0; !cancellationToken.IsCancellationRequested; i++)
        {
            if (await IsAcknowledgedAsync(() => client.PostAsJsonAsync("/api/tokens", new { name = $"t{round}-{i}", expiresInDays = 30 }, cancellationToken)) is not { } issued)
            {
                return;
            }
            acknowledged.Tokens.Add(issued["id"]!.GetValue<int>());
        }
    }

    /// <summary>One writer, values only growing: historyMaxEntries after a restart is at least the last acknowledged one.</summary>
    private static async Task WriteSettingsAsync(HttpClient client, Acknowledged acknowledged, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var value = acknowledged.HistoryMaxEntries + 1;
            if (await IsAcknowledgedAsync(() => client.PutAsJsonAsync("/api/settings", SettingsBody(value), cancellationToken)) is null)
            {
                return;
            }
            acknowledged.HistoryMaxEntries = value;
        }
    }

    private static object SettingsBody(int historyMaxEntries) =>
        new { historyMaxEntries, historyMaxAgeDays = 90, tokenMaxLifetimeDays = 365, tokenMaxPerUser = TokensPerUser };

    private const int TokensPerUser = 10_000;

    /// <summary>The response body of a 2xx; null when the request failed (the kill cut it) or was refused.</summary>
    private static async Task<JsonNode?> IsAcknowledgedAsync(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            using var response = await send();
            if (!response.IsSuccessStatusCode)
            {
                Assert.Fail($"refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            var text = await response.Content.ReadAsStringAsync();
            return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text) ?? new JsonObject();
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            return null;
        }
    }

    /// <summary>What the clients were told was written (a 2xx), shared by the writers.</summary>
    private sealed class Acknowledged
    {
        private const int DefaultHistoryMaxEntries = 100_000;
        private int _nextVhidNumber;

        public ConcurrentDictionary<int, int> Vhids { get; } = new();
        public ConcurrentDictionary<int, int> VhidNumbers { get; } = new();
        public int? LastVhid { get; private set; }
        public ConcurrentBag<string> Users { get; } = [];
        public ConcurrentBag<int> Tokens { get; } = [];
        /// <summary>The last acknowledged value; each settings write adds one to the default (100000).</summary>
        public int HistoryMaxEntries { get; set; } = DefaultHistoryMaxEntries;
        public int Total => Vhids.Count + VhidUpdates + Users.Count + Tokens.Count + SettingsWrites;
        public int TotalAtRoundStart { get; private set; }
        private int VhidUpdates => Vhids.Values.Sum();
        private int SettingsWrites => HistoryMaxEntries - DefaultHistoryMaxEntries;

        public int NextVhidNumber() => Interlocked.Increment(ref _nextVhidNumber);

        public void AddVhid(int id, int number)
        {
            VhidNumbers[id] = number;
            Vhids[id] = 0;
            LastVhid = id;
        }

        public void StartRound() => TotalAtRoundStart = Total;

        public string Describe() =>
            $"vhids {Vhids.Count} (advskew updates {VhidUpdates}), users {Users.Count}, tokens {Tokens.Count}, settings writes {SettingsWrites}";
    }
}
