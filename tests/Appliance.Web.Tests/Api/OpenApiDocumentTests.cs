using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Appliance.Web.Api;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Api;

/// <summary>
/// The OpenAPI document is what automation generates clients from: every operation named, summarised,
/// secured and with its problem responses, linted by Redocly's recommended rules, and true on the wire.
/// </summary>
public sealed class OpenApiDocumentTests() : ApiTestBase(new TestHostOptions { UseFakeEngine = true })
{
    /// <summary>Pinned: a new Redocly release may add rules. Runs on node 20.19+ (Debian's nodejs).</summary>
    private const string RedoclyCli = "@redocly/cli@2.77.0";

    private static readonly HashSet<string> AnonymousOperations = ["getHealth", "issueToken"];

    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    [Fact]
    public async Task Document_EveryOperation_HasIdSummarySecurityAndProblemResponses()
    {
        var document = await Client.GetFromJsonAsync<JsonObject>(ApiDocumentation.DocumentPath);

        var schemes = document!["components"]!["securitySchemes"]!;
        Assert.Equal("bearer", schemes[ApiDocumentation.BearerScheme]!["scheme"]!.GetValue<string>());
        Assert.Equal("cookie", schemes[ApiDocumentation.CookieScheme]!["in"]!.GetValue<string>());
        Assert.Equal("appliance.auth", schemes[ApiDocumentation.CookieScheme]!["name"]!.GetValue<string>());

        var failures = new List<string>();
        var ids = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var method in Methods.Where(m => item!.AsObject().ContainsKey(m)))
            {
                var operation = item![method]!.AsObject();
                var where = $"{method.ToUpperInvariant()} {path}";
                var id = operation["operationId"]?.GetValue<string>();
                if (string.IsNullOrEmpty(id))
                {
                    failures.Add($"{where}: no operationId");
                    continue;
                }
                ids.Add(id);
                if (string.IsNullOrWhiteSpace(operation["summary"]?.GetValue<string>()))
                {
                    failures.Add($"{where}: no summary");
                }
                var security = operation["security"]?.AsArray();
                var anonymous = AnonymousOperations.Contains(id);
                var schemeNames = security?.SelectMany(r => r!.AsObject().Select(p => p.Key)).ToHashSet() ?? [];
                if (security is null || (anonymous ? security.Count != 0 : !schemeNames.SetEquals([ApiDocumentation.BearerScheme, ApiDocumentation.CookieScheme])))
                {
                    failures.Add($"{where}: security {security?.ToJsonString() ?? "missing"}");
                }
                var expected = new List<int>();
                if (!anonymous || id == "issueToken")
                {
                    expected.Add(401);
                }
                if (!anonymous)
                {
                    expected.Add(403);
                }
                if (operation.ContainsKey("requestBody"))
                {
                    expected.Add(400);
                }
                if (path.Contains('{', StringComparison.Ordinal))
                {
                    expected.Add(404);
                }
                foreach (var status in expected)
                {
                    if (operation["responses"]?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)]?["content"]?["application/problem+json"] is null)
                    {
                        failures.Add($"{where}: no {status} problem response");
                    }
                }
            }
        }

        Assert.Empty(failures);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.True(ids.Count >= 22, $"only {ids.Count} operations: {string.Join(", ", ids)}");
        Assert.Contains("issueToken", ids);
        Assert.Contains("getHealth", ids);
        Assert.Contains("getMetrics", ids);
    }

    [Fact]
    public async Task Document_RedoclyRecommendedRules_NoErrors()
    {
        var npx = ExternalProcess.FindOnPath("npx");
        Assert.True(npx is not null, "npx is not installed: apt-get install nodejs npm (scripts/test does)");
        var text = await Client.GetStringAsync(ApiDocumentation.DocumentPath);
        var dir = Directory.CreateTempSubdirectory("appliance-openapi-");
        try
        {
            var file = Path.Combine(dir.FullName, "openapi.json");
            await File.WriteAllTextAsync(file, text);

            // npx installs the pinned CLI into the npm cache (~/.npm), never into the work tree; nothing phones home.
            var result = await ExternalProcess.RunAsync(
                npx,
                ["--yes", "--package", RedoclyCli, "--", "redocly", "lint", "--extends", "recommended", "--format", "json", file],
                TimeSpan.FromMinutes(3),
                new Dictionary<string, string> { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true", ["NO_UPDATE_NOTIFIER"] = "1" },
                dir.FullName);

            var report = JsonNode.Parse(result.Stdout) ?? throw new InvalidOperationException("no lint report: " + result.Output);
            var errors = report["problems"]!.AsArray().Where(p => p!["severity"]!.GetValue<string>() == "error")
                .Select(p => $"{p!["ruleId"]}: {p["message"]} at {p["location"]![0]!["pointer"]}").ToList();
            Assert.True(errors.Count == 0, string.Join('\n', errors));
            Assert.Equal(0, report["totals"]!["errors"]!.GetValue<int>());
            Assert.True(result.ExitCode == 0, result.Output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Problems_AsDocumented_AreProblemDetailsOnTheWire()
    {
        using var anonymous = Server.CreateClient();
        using var unauthorized = await anonymous.GetAsync("/api/vhids");
        using var notFound = await Client.GetAsync("/api/vhids/999");
        using var badBody = await Client.PostAsync("/api/vhids", new StringContent("{not json", Encoding.UTF8, "application/json"));

        foreach (var (response, status) in new[] { (unauthorized, HttpStatusCode.Unauthorized), (notFound, HttpStatusCode.NotFound), (badBody, HttpStatusCode.BadRequest) })
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal((int)status, (await Json.ReadAsync(response))["status"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task Reference_BehindTheLogin_ServesScalarForTheDocument()
    {
        using var anonymous = Server.CreateClient();
        using var redirected = await anonymous.GetAsync(ApiDocumentation.ReferencePath);
        Assert.Equal(HttpStatusCode.Redirect, redirected.StatusCode);
        Assert.Contains("/login?ReturnUrl=", redirected.Headers.Location!.OriginalString, StringComparison.Ordinal);

        using var slash = await Client.GetAsync(ApiDocumentation.ReferencePath);
        Assert.Equal(HttpStatusCode.Redirect, slash.StatusCode);
        Assert.Equal("/api/docs/", new Uri(slash.RequestMessage!.RequestUri!, slash.Headers.Location!).AbsolutePath);
        var page = await Client.GetStringAsync(ApiDocumentation.ReferencePath + "/");

        Assert.Contains("Appliance API", page, StringComparison.Ordinal);
        // Relative to the site root (Scalar's script resolves it against the reference's base path).
        Assert.Contains("\"url\":\"" + ApiDocumentation.DocumentPath.TrimStart('/') + "\"", page, StringComparison.Ordinal);
        // The library's own script is served from the package, and only with the login too.
        using var script = await Client.GetAsync(ApiDocumentation.ReferencePath + "/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        using var anonymousScript = await anonymous.GetAsync(ApiDocumentation.ReferencePath + "/scalar.js");
        Assert.Equal(HttpStatusCode.Redirect, anonymousScript.StatusCode);
    }
}
