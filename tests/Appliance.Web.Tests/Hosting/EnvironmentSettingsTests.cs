using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Web.Hosting;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Hosting;

/// <summary>The first-start VHID variables of docs/docker.md (URLs and data directory: <see cref="ServeConfigurationTests"/>).</summary>
public sealed class EnvironmentSettingsTests
{
    private static readonly Dictionary<string, string?> Seed = new()
    {
        [InitialVhid.Interface] = "eth-test0",
        [InitialVhid.Vhid] = "42",
        [InitialVhid.Vip] = "198.18.42.10/24",
        [InitialVhid.Password] = "seed-secret",
        [InitialVhid.AdvSkew] = "100",
        [InitialVhid.Preempt] = "yes",
        [InitialVhid.CheckHttp] = "http://127.0.0.1:9/",
    };

    [Fact]
    public async Task FirstStart_SeedVariables_CreateOneVhidWithHttpCheck()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions { Configuration = Seed });
        using var client = await host.CreateAuthenticatedClientAsync();

        var vhid = (await client.GetFromJsonAsync<JsonArray>("/api/vhids"))!.Single()!;
        Assert.Equal(("eth-test0", 42, "198.18.42.10", 24, 100, true), (vhid["interface"]!.GetValue<string>(), vhid["vhid"]!.GetValue<int>(),
            vhid["vip"]!.GetValue<string>(), vhid["prefixLength"]!.GetValue<int>(), vhid["advskew"]!.GetValue<int>(), vhid["preempt"]!.GetValue<bool>()));
        var check = vhid["checks"]!.AsArray().Single()!;
        Assert.Equal(("http", "http", "http://127.0.0.1:9/", 200, 2000, 1000, 2, 3), (check["name"]!.GetValue<string>(), check["kind"]!.GetValue<string>(),
            check["target"]!.GetValue<string>(), check["expectedStatus"]!.GetValue<int>(), check["intervalMs"]!.GetValue<int>(),
            check["timeoutMs"]!.GetValue<int>(), check["rise"]!.GetValue<int>(), check["fall"]!.GetValue<int>()));
        await Eventually.TrueAsync(async () => (await client.GetFromJsonAsync<JsonArray>("/api/status"))!.Count == 1, "the seeded VHID to run");
    }

    [Fact]
    public async Task LaterStart_SeedVariablesChanged_Ignored()
    {
        using var data = new TempDirectory();
        await using (var first = await TestHost.StartAsync(new TestHostOptions { DataDirectory = data.Path, Configuration = Seed }))
        {
            await first.StopAsync();
        }
        var changed = new Dictionary<string, string?>(Seed) { [InitialVhid.Vhid] = "43", [InitialVhid.AdvSkew] = "not-a-number" };

        await using var second = await TestHost.StartAsync(new TestHostOptions { DataDirectory = data.Path, Configuration = changed });
        using var client = await second.CreateAuthenticatedClientAsync();

        Assert.Equal(42, (await client.GetFromJsonAsync<JsonArray>("/api/vhids"))!.Single()!["vhid"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(InitialVhid.Vhid, "300", "APPLIANCE_VHID: vhid must be between 1 and 255 (got '300')")]
    [InlineData(InitialVhid.Vhid, "x", "APPLIANCE_VHID: 'x' is not a whole number.")]
    [InlineData(InitialVhid.Vip, "198.18.42.10/40", "APPLIANCE_VIP: prefixLength must be between 1 and 32 (got '40')")]
    [InlineData(InitialVhid.Interface, "eth9", "APPLIANCE_VHID_INTERFACE: The interface 'eth9' does not exist.")]
    [InlineData(InitialVhid.Preempt, "maybe", "APPLIANCE_PREEMPT: 'maybe' is not yes/no (also true/false, on/off, 1/0).")]
    [InlineData(InitialVhid.CheckHttp, "ftp://x/", "APPLIANCE_CHECK_HTTP: 'ftp://x/' is not an http:// or https:// URL.")]
    [InlineData(InitialVhid.Password, "", "APPLIANCE_PASSWORD not set: the initial VHID needs")]
    public async Task FirstStart_BadSeedVariable_StopsNamingTheVariable(string variable, string value, string expected)
    {
        var config = new Dictionary<string, string?>(Seed) { [variable] = value };

        var error = await Assert.ThrowsAsync<ApplianceConfigurationException>(() => TestHost.StartAsync(new TestHostOptions { Configuration = config }));

        Assert.Contains(error.Errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }
}
