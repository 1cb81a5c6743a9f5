using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Api;

/// <summary>Health checks through the API with the real engine and real probes (commands), over the in-memory data plane.</summary>
[Collection(MetricsCollection.Name)]
public sealed class HealthCheckApiTests : ScriptsApiTestBase
{
    private static object Command(string target, string name = "probe", int fall = 2, int rise = 2, string[]? arguments = null) =>
        new { name, kind = "command", target, intervalMs = 50, timeoutMs = 2000, rise, fall, arguments };

    /// <summary>Installs the scripts the checks below name: "ok" exits 0, "fail" 1, "exists" tests its argument.</summary>
    private string InstallScripts()
    {
        Scripts.Install("ok", "exit 0");
        Scripts.Install("exists", "test -e \"$1\"");
        return Scripts.Install("fail", "exit 1");
    }

    private static object VhidWith(params object[] checks) =>
        new { @interface = "eth-test0", vhid = 7, advbase = 0, advskew = 10, password = "carp-secret", vip = "198.18.7.1", prefixLength = 24, preempt = true, checks };

    [Fact]
    public async Task FailingCommandCheck_LoneMaster_DemotedWithReasonInStatusHistoryAndMetrics()
    {
        var fail = InstallScripts();
        var created = await Json.CreateVhidAsync(Client, VhidWith());
        await WaitForStatusAsync(s => s["state"]!.GetValue<string>() == "MASTER", "MASTER");

        (await Client.PutAsJsonAsync($"/api/vhids/{created["id"]}", VhidWith(Command("fail", fall: 2)))).EnsureSuccessStatusCode();

        var status = await WaitForStatusAsync(s => s["demotion"] is not null, "the demotion in the status");
        Assert.Equal("MASTER", status["state"]!.GetValue<string>());
        Assert.Contains($"{fail} exited with 1, expected 0", status["message"]!.GetValue<string>());
        var check = status["checks"]!.AsArray().Single()!;
        Assert.False(check["healthy"]!.GetValue<bool>());
        Assert.Equal("command", check["kind"]!.GetValue<string>());
        Assert.True(check["consecutiveFailures"]!.GetValue<int>() >= 2);
        Assert.StartsWith($"Command check probe: {fail} exited with 1, expected 0", check["lastResult"]!.GetValue<string>());

        var history = (await Client.GetFromJsonAsync<JsonArray>("/api/history?vhid=7"))!;
        var demoted = history.Single(h => h!["kind"]!.GetValue<string>() == "demoted")!;
        Assert.Equal($"Demoted: Command check probe: {fail} exited with 1, expected 0 (2 failures in a row)", demoted["logLine"]!.GetValue<string>());
        Assert.Equal("demoted", demoted["cause"]!.GetValue<string>());
        Assert.Equal(("MASTER", "MASTER"), (demoted["from"]!.GetValue<string>(), demoted["to"]!.GetValue<string>()));

        var metrics = PrometheusText.Parse(await Client.GetStringAsync("/metrics"));
        var healthy = Assert.Single(metrics["appliance_check_healthy"].Samples);
        Assert.Equal(("7", "eth-test0", "probe", 0.0), (healthy.Labels["vhid"], healthy.Labels["interface"], healthy.Labels["check"], healthy.Value));

        // The check replaced by /bin/true: the demotion ends and the history says so.
        (await Client.PutAsJsonAsync($"/api/vhids/{created["id"]}", VhidWith(Command("ok")))).EnsureSuccessStatusCode();
        status = await WaitForStatusAsync(s => s["demotion"] is null && s["checks"]!.AsArray().Single()!["lastResult"] is not null, "the demotion to end");
        Assert.Null(status["message"]);
        Assert.True(status["checks"]!.AsArray().Single()!["healthy"]!.GetValue<bool>());
        history = (await Client.GetFromJsonAsync<JsonArray>("/api/history?vhid=7"))!;
        Assert.Equal("Demotion cleared: check probe changed", history.Single(h => h!["kind"]!.GetValue<string>() == "demotionCleared")!["logLine"]!.GetValue<string>());
    }

    [Fact]
    public async Task RecoveringCheck_DemotedMaster_RestoredAfterRiseAndRecorded()
    {
        InstallScripts();
        var marker = Path.Combine(Server.DataDirectory, "healthy");
        await Json.CreateVhidAsync(Client, VhidWith(Command("exists", name: "marker", fall: 1, rise: 2, arguments: [marker])));
        await WaitForStatusAsync(s => s["demotion"] is not null, "the demotion");

        await File.WriteAllTextAsync(marker, "ok");

        var status = await WaitForStatusAsync(s => s["demotion"] is null, "the check to recover");
        Assert.Equal("MASTER", status["state"]!.GetValue<string>());
        var check = status["checks"]!.AsArray().Single()!;
        Assert.True(check["healthy"]!.GetValue<bool>());
        Assert.True(check["consecutiveSuccesses"]!.GetValue<int>() >= 2);
        // The monitor's status turns healthy a moment before the check's line is stored: wait for the line.
        var lines = new List<string>();
        await Eventually.TrueAsync(async () =>
        {
            lines = (await Client.GetFromJsonAsync<JsonArray>("/api/history?vhid=7"))!
                .Where(h => h!["kind"]!.GetValue<string>() != "transition").Select(h => h!["logLine"]!.GetValue<string>()).ToList();
            return lines.Count >= 2;
        }, "the demotion's end in the history");
        Assert.Equal(
            ["Demotion cleared: check marker healthy again", $"Demoted: Command check marker: {Scripts.Path}/exists exited with 1, expected 0 (1 failure in a row)"],
            lines);
    }

    [Fact]
    public async Task AddCheck_RunningMaster_NotRestarted()
    {
        InstallScripts();
        var created = await Json.CreateVhidAsync(Client, VhidWith());
        await WaitForStatusAsync(s => s["state"]!.GetValue<string>() == "MASTER", "MASTER");
        var before = await WaitForStatusAsync(_ => true, "the status");

        (await Client.PutAsJsonAsync($"/api/vhids/{created["id"]}", VhidWith(Command("ok")))).EnsureSuccessStatusCode();
        await WaitForStatusAsync(s => s["checks"]!.AsArray().Count == 1 && s["checks"]![0]!["lastRun"] is not null, "the check to run");

        var after = await WaitForStatusAsync(_ => true, "the status");
        Assert.Equal(before["since"]!.GetValue<DateTimeOffset>(), after["since"]!.GetValue<DateTimeOffset>());
        Assert.Equal("MASTER", after["state"]!.GetValue<string>());
        Assert.True(after["counters"]!["advertsSent"]!.GetValue<long>() >= before["counters"]!["advertsSent"]!.GetValue<long>());
        Assert.DoesNotContain((await Client.GetFromJsonAsync<JsonArray>("/api/history?vhid=7"))!, h => h!["cause"]!.GetValue<string>() == "shutdown");
        var vhid = await Client.GetFromJsonAsync<JsonNode>($"/api/vhids/{created["id"]}");
        var saved = vhid!["checks"]!.AsArray().Single()!;
        Assert.Equal(("probe", "command", "ok", 50, 2), (saved["name"]!.GetValue<string>(), saved["kind"]!.GetValue<string>(),
            saved["target"]!.GetValue<string>(), saved["intervalMs"]!.GetValue<int>(), saved["rise"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Create_BadChecks_ValidationProblemKeyedByIndex()
    {
        InstallScripts();
        var body = VhidWith(
            new { name = "web", kind = "http", target = "ftp://x/", intervalMs = 0, rise = 0 },
            new { name = "web", kind = "smtp", target = "x" },
            new { name = "db", kind = "tcp", target = "localhost" },
            new { name = "cmd", kind = "command", target = "ok", expectedStatus = 300 });

        using var response = await Client.PostAsJsonAsync("/api/vhids", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await Json.ReadAsync(response))["errors"]!.AsObject();
        Assert.Equal(
            ["checks[0].intervalMs", "checks[0].rise", "checks[1].kind", "checks[1].name", "checks[2].target", "checks[3].expectedStatus"],
            errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Empty((await Client.GetFromJsonAsync<JsonArray>("/api/vhids"))!);
        Assert.Contains("not host:port", errors["checks[2].target"]![0]!.GetValue<string>());

        body = VhidWith(new { name = "web", kind = "http", target = "ftp://x/" });
        using var second = await Client.PostAsJsonAsync("/api/vhids", body);
        var target = (await Json.ReadAsync(second))["errors"]!["checks[0].target"]![0]!.GetValue<string>();
        Assert.Equal("'ftp://x/' is not an http:// or https:// URL.", target);
    }

    private async Task<JsonNode> WaitForStatusAsync(Func<JsonNode, bool> condition, string what)
    {
        JsonNode? found = null;
        await Eventually.TrueAsync(async () =>
        {
            var all = await Client.GetFromJsonAsync<JsonArray>("/api/status");
            found = all!.FirstOrDefault(s => s!["vhid"]!.GetValue<int>() == 7 && condition(s));
            return found is not null;
        }, what);
        return found!;
    }
}
