using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Engine.Import;
using Appliance.Web.Services;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Api;

/// <summary>
/// No free-form command over HTTP: GET /api/scripts, up/down scripts and command checks by name in
/// Appliance:ScriptsDirectory, arguments as argv, and the web import that reads no server file.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class ScriptApiTests : ScriptsApiTestBase
{
    private static object VhidWith(string? upscript = null, string? downscript = null, params object[] checks) =>
        new { @interface = "eth-test0", vhid = 7, advbase = 0, advskew = 10, password = "carp-secret", vip = "198.18.7.1", prefixLength = 24, upscript, downscript, checks };

    private static object Command(string target, object? arguments = null) =>
        new { name = "probe", kind = "command", target, intervalMs = 50, timeoutMs = 2000, arguments };

    private async Task<JsonObject> PostInvalidAsync(object body)
    {
        using var response = await Client.PostAsJsonAsync("/api/vhids", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await Json.ReadAsync(response))["errors"]!.AsObject();
        Assert.Empty((await Client.GetFromJsonAsync<JsonArray>("/api/vhids"))!);
        return errors;
    }

    [Fact]
    public async Task List_UsableGroupWritableForeignAndNotExecutable_EachWithItsReason()
    {
        Scripts.Install("vip-up.sh", "exit 0");
        Scripts.Install("shared", "exit 0", ScriptFolder.Executable | UnixFileMode.GroupWrite);
        Scripts.Install("foreign", "exit 0", owner: 65534);
        Scripts.Install("notes.txt", "exit 0", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var list = await Client.GetFromJsonAsync<JsonArray>("/api/scripts");

        Assert.Equal(
            """[{"name":"foreign","usable":false,"reason":"owned by uid 65534"},{"name":"notes.txt","usable":false,"reason":"not executable"},{"name":"shared","usable":false,"reason":"writable by group or others"},{"name":"vip-up.sh","usable":true,"reason":null}]""",
            list!.ToJsonString());
    }

    [Fact]
    public async Task List_MissingDirectoryOrAnonymous_EmptyOr401()
    {
        Directory.Delete(Scripts.Path);
        Assert.Empty((await Client.GetFromJsonAsync<JsonArray>("/api/scripts"))!);

        using var anonymous = Server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/scripts")).StatusCode);
    }

    [Theory]
    [InlineData("/etc/vip-up.sh", "not a script name")]
    [InlineData("vip-up.sh; id", "not a script name")]
    [InlineData("missing", "no such script")]
    [InlineData("shared", "writable by group or others")]
    public async Task Vhid_UpscriptNotAUsableName_400NamingTheFieldNothingStored(string upscript, string reason)
    {
        Scripts.Install("shared", "exit 0", ScriptFolder.Executable | UnixFileMode.GroupWrite);

        var errors = await PostInvalidAsync(VhidWith(upscript: upscript));

        var message = Assert.Single(errors["upscript"]!.AsArray())!.GetValue<string>();
        Assert.StartsWith($"'{upscript}' is not a usable script in {Scripts.Path}: {reason}", message, StringComparison.Ordinal);
        Assert.Equal(["upscript"], errors.Select(e => e.Key));
    }

    [Fact]
    public async Task Vhid_UsableScriptNames_Saved()
    {
        Scripts.Install("vip-up.sh", "exit 0");
        Scripts.Install("vip-down.sh", "exit 0");

        var created = await Json.CreateVhidAsync(Client, VhidWith(upscript: "vip-up.sh", downscript: "vip-down.sh"));

        Assert.Equal(("vip-up.sh", "vip-down.sh"), (created["upscript"]!.GetValue<string>(), created["downscript"]!.GetValue<string>()));
        var errors = await PutInvalidAsync(created["id"]!.GetValue<int>(), VhidWith(downscript: "/bin/sh"));
        Assert.Equal(["downscript"], errors.Select(e => e.Key));
    }

    [Fact]
    public async Task Vhid_Upscript_EngineRunsItFromTheDirectoryWithUcarpArguments()
    {
        var output = Path.Combine(Server.DataDirectory, "up.txt");
        Scripts.InstallArgumentRecorder("vip-up.sh", output);

        await Json.CreateVhidAsync(Client, new
        {
            @interface = "eth-test0", vhid = 7, advbase = 0, advskew = 10, password = "carp-secret", vip = "198.18.7.1", prefixLength = 24,
            upscript = "vip-up.sh", xparam = "$(id)",
        });

        await Eventually.TrueAsync(() => File.Exists(output) && File.ReadAllLines(output).Length == 3, "the upscript to run on MASTER");
        Assert.Equal(["eth-test0", "198.18.7.1", "$(id)"], File.ReadAllLines(output));
    }

    [Fact]
    public async Task StoredPathFromAnOlderVersion_RunsOnlyInsideTheDirectory()
    {
        var inside = Path.Combine(Server.DataDirectory, "inside.txt");
        var outside = Path.Combine(Server.DataDirectory, "outside.txt");
        var insidePath = Scripts.InstallArgumentRecorder("vip-up.sh", inside);
        using var elsewhere = new ScriptFolder();
        var outsidePath = elsewhere.InstallArgumentRecorder("vip-up.sh", outside);
        await Json.CreateVhidAsync(Client, Json.Vhid(vhid: 7, vip: "198.18.7.1"));
        await Json.CreateVhidAsync(Client, Json.Vhid(vhid: 8, vip: "198.18.8.1"));
        var store = Server.Services.GetRequiredService<Appliance.Web.Storage.IApplianceStore>();
        foreach (var stored in store.Vhids.GetAll())
        {
            stored.UpScript = stored.Vhid == 7 ? insidePath : outsidePath;
            // Another change as well, so that both VHIDs restart even when a script is left out.
            stored.AdvSkew = 20;
            store.Vhids.Update(stored);
        }

        // Restarting the engine's VHIDs: both become MASTER again and run their upscript if it may run.
        await Server.Services.GetRequiredService<EngineConfigurator>().ApplyAsync(CancellationToken.None);

        await Eventually.TrueAsync(() => File.Exists(inside), "the upscript inside the directory to run");
        await Eventually.TrueAsync(async () => (await Client.GetFromJsonAsync<JsonArray>("/api/status"))!
            .All(v => v!["state"]!.GetValue<string>() == "MASTER" && v["advskew"]?.GetValue<int>() is null or 20), "both MASTER again");
        await Task.Delay(300);
        Assert.False(File.Exists(outside));
    }

    private async Task<JsonObject> PutInvalidAsync(int id, object body)
    {
        using var response = await Client.PutAsJsonAsync($"/api/vhids/{id}", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await Json.ReadAsync(response))["errors"]!.AsObject();
    }

    [Fact]
    public async Task Attack_CommandCheckShellLine_400OnTargetNothingStoredNothingRun()
    {
        var marker = Path.Combine(Server.DataDirectory, "pwned");

        var errors = await PostInvalidAsync(VhidWith(checks: Command($"sh -c \"id > {marker}\"")));

        Assert.Equal(["checks[0].target"], errors.Select(e => e.Key));
        Assert.StartsWith($"'sh -c \"id > {marker}\"' is not a usable script in {Scripts.Path}: not a script name",
            errors["checks[0].target"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        await Task.Delay(200);
        Assert.False(File.Exists(marker));
        var status = await Client.GetFromJsonAsync<JsonArray>("/api/status");
        Assert.DoesNotContain("uid=", status!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandCheck_BadArguments_400NamingArguments()
    {
        Scripts.Install("ok", "exit 0");

        var control = await PostInvalidAsync(VhidWith(checks: Command("ok", new[] { "a\nb" })));
        var onHttp = await PostInvalidAsync(VhidWith(checks: new { name = "web", kind = "http", target = "http://127.0.0.1/", arguments = new[] { "x" } }));
        var absolutePath = await PostInvalidAsync(VhidWith(checks: Command("/bin/true")));

        Assert.Equal(["checks[0].arguments"], control.Select(e => e.Key));
        Assert.Equal("Only command checks take arguments.", onHttp["checks[0].arguments"]![0]!.GetValue<string>());
        Assert.Equal(["checks[0].target"], absolutePath.Select(e => e.Key));
    }

    [Fact]
    public async Task CommandCheck_UsableScript_RunsWithArgvMetacharactersLiteral()
    {
        var output = Path.Combine(Server.DataDirectory, "args.txt");
        Scripts.InstallArgumentRecorder("record", output);
        string[] arguments = ["$(id); touch /tmp/x", "two words", "|", "`uname`"];

        var created = await Json.CreateVhidAsync(Client, VhidWith(checks: Command("record", arguments)));

        await Eventually.TrueAsync(() => File.Exists(output) && File.ReadAllLines(output).Length == arguments.Length, "the check to run");
        Assert.Equal(arguments, File.ReadAllLines(output));
        var saved = created["checks"]!.AsArray().Single()!;
        Assert.Equal(arguments, saved["arguments"]!.AsArray().Select(a => a!.GetValue<string>()));
    }

    private const string ConfWithPassfile = """
        UCARP_INTERFACE=eth-test0
        UCARP_VHID=42
        UCARP_VIP=198.18.42.1
        UCARP_PASSFILE={0}
        """;

    [Fact]
    public async Task Import_Passfile_OneFixedRefusalForExistingAndMissingFiles()
    {
        var existing = Path.Combine(Server.DataDirectory, "appliance.db");
        Assert.True(File.Exists(existing));

        var answers = new List<string>();
        foreach (var path in new[] { existing, "/etc/shadow", "/nonexistent/passfile" })
        {
            var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, ConfWithPassfile, path);
            using var response = await Client.PostAsJsonAsync("/api/import", new { text, sourceName = "ucarp.conf" });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var body = await Json.ReadAsync(response);
            Assert.Equal(PasswordFiles.WebRefusal, body["errors"]!["passfile"]![0]!.GetValue<string>());
            body.AsObject().Remove("traceId");
            answers.Add(body.ToJsonString());
        }

        Assert.Single(answers.Distinct());
        Assert.DoesNotContain("shadow", answers[1], StringComparison.Ordinal);
        Assert.Empty((await Client.GetFromJsonAsync<JsonArray>("/api/vhids"))!);
    }

    [Fact]
    public async Task Import_ScriptPaths_KeptAsUsableNameOrDroppedWithWarning()
    {
        Scripts.Install("vip-up.sh", "exit 0");
        const string conf = """
            UCARP_INTERFACE=eth-test0
            UCARP_VHID=42
            UCARP_PASSWORD=import-secret
            UCARP_VIP=198.18.42.1
            UCARP_UPSCRIPT=/usr/share/ucarp/vip-up.sh
            UCARP_DOWNSCRIPT=/usr/share/ucarp/vip-down.sh
            """;

        using var response = await Client.PostAsJsonAsync("/api/import", new { text = conf, sourceName = "ucarp.conf" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var messages = (await Json.ReadAsync(response))["messages"]!.AsArray().Select(m => m!["formatted"]!.GetValue<string>()).ToList();
        Assert.Contains($"ucarp.conf: warning: eth-test0/42: upscript '/usr/share/ucarp/vip-up.sh' imported as the script 'vip-up.sh' of {Scripts.Path}", messages);
        Assert.Contains($"ucarp.conf: warning: eth-test0/42: downscript '/usr/share/ucarp/vip-down.sh' dropped: 'vip-down.sh' is not a usable script in {Scripts.Path} (no such script); install it there and choose it by name", messages);
        var vhid = (await Client.GetFromJsonAsync<JsonArray>("/api/vhids"))!.Single()!;
        Assert.Equal("vip-up.sh", vhid["upscript"]!.GetValue<string>());
        Assert.Null(vhid["downscript"]);
    }
}
