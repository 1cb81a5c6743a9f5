using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Engine.StateMachine;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Api;

/// <summary>/metrics from a real host: Prometheus text that a strict parser and promtool accept, with the documented names and labels.</summary>
[Collection(MetricsCollection.Name)]
public sealed class MetricsTests
{
    private static readonly string[] CounterNames =
        ["appliance_transitions_total", "appliance_adverts_sent_total", "appliance_adverts_received_total", "appliance_drops_total"];

    private static readonly string[] GaugeNames =
        ["appliance_vhid_state", "appliance_vhid_maintenance", "appliance_vhid_master_down_seconds"];

    [Fact]
    public async Task Metrics_AfterTransitions_ParseAsPrometheusTextWithDocumentedNamesAndLabels()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions { UseFakeEngine = true });
        using var client = await host.CreateAuthenticatedClientAsync();
        await Json.CreateVhidAsync(client, Json.Vhid());
        await Json.CreateVhidAsync(client, Json.Vhid(vhid: 8, vip: "198.18.8.1"));
        await Json.CreateVhidAsync(client, Json.Vhid(vhid: 9, vip: "198.18.9.1"));
        host.Engine!.RaiseTransition("eth-test0/7", CarpState.Backup, TransitionCause.Startup);
        host.Engine.RaiseTransition("eth-test0/7", CarpState.Master, TransitionCause.MasterDownTimeout);
        host.Engine.RaiseTransition("eth-test0/8", CarpState.Backup, TransitionCause.Startup);
        host.Engine.RaiseTransition("eth-test0/9", CarpState.Backup, TransitionCause.Startup);
        await WaitForHistoryAsync(client, 4);
        Assert.Contains("vhid=\"9\"", await client.GetStringAsync("/metrics"), StringComparison.Ordinal);
        // A VHID that left the configuration leaves the metrics too.
        (await client.DeleteAsync($"/api/vhids/{await IdOfAsync(client, 9)}")).EnsureSuccessStatusCode();
        await Eventually.TrueAsync(async () => (await client.GetFromJsonAsync<JsonArray>("/api/status"))!.Count == 2, "VHID 9 to stop");

        using var response = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var metrics = PrometheusText.Parse(text);
        Assert.Equal("appliance", metrics["target_info"].Samples.Single().Labels["service_name"]);
        foreach (var name in CounterNames)
        {
            Assert.True(metrics.TryGetValue(name, out var family), $"{name} missing in:\n{text}");
            Assert.Equal("counter", family.Type);
            Assert.NotEmpty(family.Help);
        }
        foreach (var name in GaugeNames)
        {
            Assert.True(metrics.TryGetValue(name, out var family), $"{name} missing in:\n{text}");
            Assert.Equal("gauge", family.Type);
        }
        Assert.Equal(2, Value(metrics, "appliance_vhid_state", 7));
        Assert.Equal(1, Value(metrics, "appliance_vhid_state", 8));
        Assert.Equal(2, Value(metrics, "appliance_transitions_total", 7));
        Assert.Equal(1, Value(metrics, "appliance_transitions_total", 8));
        Assert.Equal(0, Value(metrics, "appliance_adverts_sent_total", 7));
        Assert.Equal(0, Value(metrics, "appliance_vhid_maintenance", 7));
        var drops = metrics["appliance_drops_total"].Samples.Where(s => s.Labels["vhid"] == "7").ToList();
        Assert.Contains(drops, d => d.Labels["reason"] == "badDigest" && d.Value == 0);
        Assert.Equal(Enum.GetValues<Engine.Protocol.DropReason>().Length, drops.Count);
        // Only a BACKUP would take over: the MASTER has no master-down sample; the backup's is within its master-down (3 s).
        Assert.DoesNotContain(metrics["appliance_vhid_master_down_seconds"].Samples, s => s.Labels["vhid"] == "7");
        Assert.InRange(Value(metrics, "appliance_vhid_master_down_seconds", 8), 0, 3);
        Assert.DoesNotContain(metrics.Values.SelectMany(f => f.Samples), s => s.Labels.GetValueOrDefault("vhid") == "9");
        // Every sample carries the documented vhid and interface labels.
        Assert.All(metrics.Where(f => f.Key.StartsWith("appliance_", StringComparison.Ordinal)).SelectMany(f => f.Value.Samples),
            s => Assert.Equal("eth-test0", s.Labels["interface"]));
        await AssertPromtoolAcceptsAsync(text);
    }

    [Fact]
    public async Task Metrics_PeerHeard_LastHeardAgeAndMasterDownCountFromTheAdvert()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions { UseFakeEngine = true });
        using var client = await host.CreateAuthenticatedClientAsync();
        await Json.CreateVhidAsync(client, Json.Vhid());
        // BACKUP for 10 s, the master's last advert 2 s ago: 1 s left of the 3 s master-down.
        host.Engine!.RaiseTransition("eth-test0/7", CarpState.Backup, TransitionCause.Startup, at: DateTimeOffset.UtcNow - TimeSpan.FromSeconds(10));
        var heard = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(2);
        host.Engine.RaisePeer("eth-test0/7", new Engine.Hosting.PeerInfo(IPAddress.Parse("198.18.7.2"), 1, 0, heard));

        var metrics = PrometheusText.Parse(await client.GetStringAsync("/metrics"));

        Assert.InRange(Value(metrics, "appliance_vhid_peer_last_heard_seconds", 7), 2, 2 + TestHost.Timeout.TotalSeconds);
        // master-down (3 s) counts from the advert heard 2 s ago, not from entering BACKUP.
        Assert.InRange(Value(metrics, "appliance_vhid_master_down_seconds", 7), 0.5, 1);
    }

    [Fact]
    public async Task Metrics_FlapDamping_PenaltyGaugeSuppressedGaugeAndSuppressionsCounter()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions { UseFakeEngine = true });
        using var client = await host.CreateAuthenticatedClientAsync();
        await Json.CreateVhidAsync(client, Json.Vhid());
        await Json.CreateVhidAsync(client, Json.Vhid(vhid: 8, vip: "198.18.8.1"));
        host.Engine!.RaiseTransition("eth-test0/7", CarpState.Backup, TransitionCause.Startup);
        host.Engine.RaiseFlap("eth-test0/7", suppressed: true, penalty: 3155.4, "flapping suppressed: 4 transitions in 3.2 s; holding BACKUP (penalty 3155 above 3000)");
        await WaitForHistoryAsync(client, 2);

        var text = await client.GetStringAsync("/metrics");
        var metrics = PrometheusText.Parse(text);

        Assert.Equal("gauge", metrics["appliance_vhid_flap_penalty"].Type);
        Assert.Equal(3155.4, Value(metrics, "appliance_vhid_flap_penalty", 7));
        // A VHID whose status has no flap damping (off) has no penalty sample.
        Assert.DoesNotContain(metrics["appliance_vhid_flap_penalty"].Samples, s => s.Labels["vhid"] == "8");
        Assert.Equal(1, Value(metrics, "appliance_vhid_flap_suppressed", 7));
        Assert.Equal(0, Value(metrics, "appliance_vhid_flap_suppressed", 8));
        Assert.Equal("counter", metrics["appliance_flap_suppressions_total"].Type);
        Assert.Equal(1, Value(metrics, "appliance_flap_suppressions_total", 7));
        Assert.Equal(0, Value(metrics, "appliance_flap_suppressions_total", 8));

        host.Engine.RaiseFlap("eth-test0/7", suppressed: false, penalty: 750, "flapping released after 6.1 s: penalty decayed to the reuse threshold 750");
        await WaitForHistoryAsync(client, 3);
        metrics = PrometheusText.Parse(await client.GetStringAsync("/metrics"));
        Assert.Equal(0, Value(metrics, "appliance_vhid_flap_suppressed", 7));
        Assert.Equal(1, Value(metrics, "appliance_flap_suppressions_total", 7));
        await AssertPromtoolAcceptsAsync(text);
    }

    [Fact]
    public async Task Metrics_KeepalivedNamesOn_AlsoExportsKeepalivedExporterNames()
    {
        var options = new TestHostOptions
        {
            UseFakeEngine = true,
            Configuration = new Dictionary<string, string?> { ["Appliance:Metrics:KeepalivedNames"] = "true" },
        };
        await using var host = await TestHost.StartAsync(options);
        using var client = await host.CreateAuthenticatedClientAsync();
        await Json.CreateVhidAsync(client, Json.Vhid());
        host.Engine!.RaiseTransition("eth-test0/7", CarpState.Backup, TransitionCause.Startup);
        host.Engine.RaiseTransition("eth-test0/7", CarpState.Master, TransitionCause.MasterDownTimeout);
        await WaitForHistoryAsync(client, 2);

        var text = await client.GetStringAsync("/metrics");
        var metrics = PrometheusText.Parse(text);

        var state = Assert.Single(metrics["keepalived_vrrp_state"].Samples);
        Assert.Equal(("eth-test0/7", "eth-test0", "7", 2.0), (state.Labels["iname"], state.Labels["intf"], state.Labels["vrid"], state.Value));
        Assert.Equal("counter", metrics["keepalived_advert_sent_total"].Type);
        Assert.Equal("counter", metrics["keepalived_advert_rcvd_total"].Type);
        Assert.Equal(1, Assert.Single(metrics["keepalived_become_master_total"].Samples).Value);
        Assert.Contains("appliance_vhid_state", metrics.Keys);
        await AssertPromtoolAcceptsAsync(text);
    }

    [Fact]
    public async Task Metrics_KeepalivedNamesOff_NoKeepalivedNames()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions { UseFakeEngine = true });
        using var client = await host.CreateAuthenticatedClientAsync();
        await Json.CreateVhidAsync(client, Json.Vhid());

        var metrics = PrometheusText.Parse(await client.GetStringAsync("/metrics"));

        Assert.DoesNotContain(metrics.Keys, k => k.StartsWith("keepalived_", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("line{a=\"1\"} 1\n")]
    [InlineData("# TYPE x gauge\nx{a=\"1} 1\n")]
    [InlineData("# TYPE x gauge\nx{a=\"\\q\"} 1\n")]
    [InlineData("# TYPE x gauge\nx 1 2 3\n")]
    [InlineData("# TYPE x flavour\nx 1\n")]
    public void PrometheusText_MalformedExposition_Refused(string text) =>
        Assert.ThrowsAny<Exception>(() => PrometheusText.Parse(text));

    private static double Value(IReadOnlyDictionary<string, PrometheusFamily> metrics, string name, int vhid) =>
        metrics[name].Samples.Single(s => s.Labels["vhid"] == vhid.ToString(System.Globalization.CultureInfo.InvariantCulture)).Value;

    private static async Task<int> IdOfAsync(HttpClient client, int vhid) =>
        (await client.GetFromJsonAsync<JsonArray>("/api/vhids"))!.Single(v => v!["vhid"]!.GetValue<int>() == vhid)!["id"]!.GetValue<int>();

    private static Task WaitForHistoryAsync(HttpClient client, int count) => Eventually.TrueAsync(
        async () => (await client.GetFromJsonAsync<JsonArray>("/api/history"))!.Count >= count, $"{count} history entries");

    /// <summary>promtool (Prometheus's own linter, installed by scripts/test) must accept the exposition as it is.</summary>
    private static async Task AssertPromtoolAcceptsAsync(string text)
    {
        var promtool = new[] { "/usr/local/bin/promtool", "/usr/bin/promtool" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("promtool is not installed: scripts/test installs it (Debian package prometheus).");
        using var process = Process.Start(new ProcessStartInfo(promtool, ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await process.StandardInput.WriteAsync(text);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestHost.Timeout);
        Assert.True(process.ExitCode == 0, $"promtool check metrics: exit {process.ExitCode}\n{await output}{await errors}\n---\n{text}");
    }
}
