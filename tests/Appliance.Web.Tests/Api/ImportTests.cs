using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Engine.Transport;
using Appliance.Web.Auth;
using Appliance.Web.Hosting;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Api;

/// <summary>`appliance import FILE` and POST /api/import: ucarp configs into the store through the one validation.</summary>
public sealed class ImportTests
{
    private const string UcarpConf = """
        # /etc/ucarp/ucarp.conf
        UCARP_INTERFACE=eth-test0
        UCARP_VHID=42
        UCARP_PASSWORD=import-secret
        UCARP_VIP=198.18.42.1
        UCARP_SRCIP=198.18.0.1
        UCARP_ADVSKEW=20
        UCARP_PREEMPT=yes
        """;

    private static async Task<(int Code, string Output, string Error)> RunCliAsync(string file, string data)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await ImportCommand.RunAsync(file, data, output, error, builder =>
        {
            builder.Configuration["APPLIANCE_ADMIN_PASSWORD"] = TestHost.AdminPassword;
            builder.Services.AddSingleton<IDataPlane>(new FakeDataPlane());
            builder.Services.AddSingleton(new AdminPasswordOutput(TextWriter.Null));
        }).WaitAsync(TestHost.Timeout);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Cli_UcarpConf_WritesVhidAuditsAndSkipsDuplicateOnSecondRun()
    {
        using var data = new TempDirectory();
        Directory.CreateDirectory(data.Path);
        var file = Path.Combine(data.Path, "ucarp.conf");
        await File.WriteAllTextAsync(file, UcarpConf);

        var (code, output, error) = await RunCliAsync(file, data.Path);

        Assert.True(code == 0, output + error);
        Assert.Contains("ucarp.conf: info: eth-test0/42: imported as id 1", output);
        Assert.EndsWith("ucarp.conf: 1 VHID(s) imported, 0 skipped as already configured, 0 error(s), 0 warning(s)" + Environment.NewLine, output);

        var (again, secondOutput, _) = await RunCliAsync(file, data.Path);
        Assert.Equal(1, again);
        Assert.Contains("ucarp.conf: warning: eth-test0/42: vhid 42 is already configured on eth-test0; skipped", secondOutput);

        await using var host = await TestHost.StartAsync(new TestHostOptions { DataDirectory = data.Path });
        using var client = await host.CreateAuthenticatedClientAsync();
        var vhid = (await client.GetFromJsonAsync<JsonArray>("/api/vhids"))!.Single()!;
        Assert.Equal((42, "198.18.42.1", "198.18.0.1", 20, true), (vhid["vhid"]!.GetValue<int>(), vhid["vip"]!.GetValue<string>(),
            vhid["srcip"]!.GetValue<string>(), vhid["advskew"]!.GetValue<int>(), vhid["preempt"]!.GetValue<bool>()));
        var audit = (await client.GetFromJsonAsync<JsonArray>("/api/audit?take=10"))!;
        Assert.Contains(audit, a => a!["action"]!.GetValue<string>() == "import" && a["target"]!.GetValue<string>() == "eth-test0/42");
    }

    [Fact]
    public async Task Cli_UnknownSettingAndBadInterface_PrintsLineMessagesAndFails()
    {
        using var data = new TempDirectory();
        Directory.CreateDirectory(data.Path);
        var file = Path.Combine(data.Path, "ucarp.conf");
        await File.WriteAllTextAsync(file, UcarpConf.Replace("eth-test0", "eth9") + "\nUCARP_FROBNICATE=1\n");

        var (code, output, _) = await RunCliAsync(file, data.Path);

        Assert.Equal(1, code);
        Assert.Matches(@"ucarp\.conf:9: warning: .*UCARP_FROBNICATE", output);
        Assert.Contains("ucarp.conf: error: eth9/42: interface: The interface 'eth9' does not exist.", output);
        Assert.Contains("0 VHID(s) imported", output);
    }

    [Fact]
    public async Task Cli_MissingFile_NamesItAndExitsOne()
    {
        using var data = new TempDirectory();
        var file = Path.Combine(data.Path, "no-such-ucarp.conf");

        var (code, _, error) = await RunCliAsync(file, data.Path);

        Assert.Equal(1, code);
        Assert.StartsWith($"import: cannot read {file}:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_Passfile_ReadUpToTheCapThenAClearError()
    {
        using var data = new TempDirectory();
        Directory.CreateDirectory(data.Path);
        var small = Path.Combine(data.Path, "pass");
        await File.WriteAllTextAsync(small, "file-secret\n");
        var big = Path.Combine(data.Path, "big");
        await File.WriteAllTextAsync(big, new string('x', 5000));
        var file = Path.Combine(data.Path, "ucarp.conf");

        await File.WriteAllTextAsync(file, $"UCARP_INTERFACE=eth-test0\nUCARP_VHID=43\nUCARP_VIP=198.18.43.1\nUCARP_PASSFILE={big}\n");
        var (refused, refusedOutput, _) = await RunCliAsync(file, data.Path);
        await File.WriteAllTextAsync(file, $"UCARP_INTERFACE=eth-test0\nUCARP_VHID=43\nUCARP_VIP=198.18.43.1\nUCARP_PASSFILE={small}\n");
        var (code, output, error) = await RunCliAsync(file, data.Path);

        Assert.Equal(1, refused);
        Assert.Contains($"ucarp.conf:4: error: UCARP_PASSFILE: --passfile: {big} is larger than 4096 bytes; a password file holds one line", refusedOutput);
        Assert.True(code == 0, output + error);
        Assert.Contains("ucarp.conf: info: eth-test0/43: imported as id 1", output);
    }

    [Fact]
    public async Task Api_Import_CreatesAndAppliesThenDuplicateIs400WithMessages()
    {
        await using var host = await TestHost.StartAsync();
        using var client = await host.CreateAuthenticatedClientAsync();

        using var response = await client.PostAsJsonAsync("/api/import", new { text = UcarpConf, sourceName = "ucarp.conf" });
        var body = await Json.ReadAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = body["created"]!.AsArray().Single()!.GetValue<int>();
        Assert.Contains(body["messages"]!.AsArray(), m => m!["formatted"]!.GetValue<string>() == $"ucarp.conf: info: eth-test0/42: imported as id {id}");
        await Eventually.TrueAsync(async () => (await client.GetFromJsonAsync<JsonArray>("/api/status"))!.Any(s => s!["vhid"]!.GetValue<int>() == 42),
            "the imported VHID to run");

        using var duplicate = await client.PostAsJsonAsync("/api/import", new { text = UcarpConf, sourceName = "ucarp.conf" });
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);
        Assert.Equal("application/problem+json", duplicate.Content.Headers.ContentType!.MediaType);
        var problem = await Json.ReadAsync(duplicate);
        Assert.Contains(problem["messages"]!.AsArray(), m => m!["severity"]!.GetValue<string>() == "warning"
            && m["text"]!.GetValue<string>().Contains("already configured", StringComparison.Ordinal));

        using var empty = await client.PostAsJsonAsync("/api/import", new { text = "" });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.NotNull((await Json.ReadAsync(empty))["errors"]!["text"]);
    }
}
