using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Engine.Cli;
using Appliance.Engine.Configuration;
using Appliance.Web.Services;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Configuration;

/// <summary>
/// Flap damping's settings (docs/carp-protocol.md, 6.13) at the three entry points that take them, <c>appliance
/// carp</c>'s flags, the REST API's <c>flapDamping</c> object and the dashboard's validation: each limit at its edges
/// and the two combinations, with the same verdict and per field the same message after the field's name. (A ucarp
/// import has no such settings: imported VHIDs get the defaults.)
/// </summary>
public sealed class FlapDampingAgreementTests(AgreementHost host) : IClassFixture<AgreementHost>
{
    private static readonly Dictionary<VhidField, (string Flag, string Member)> Names = new()
    {
        [VhidField.FlapPenalty] = ("--flap-penalty", "penalty"),
        [VhidField.FlapSuppressThreshold] = ("--flap-suppress", "suppressThreshold"),
        [VhidField.FlapReuseThreshold] = ("--flap-reuse", "reuseThreshold"),
        [VhidField.FlapHalfLife] = ("--flap-halflife", "halfLifeSeconds"),
        [VhidField.FlapMaxSuppress] = ("--flap-maxsuppress", "maxSuppressSeconds"),
    };

    public static TheoryData<string, (VhidField, long)[], VhidRuleError[]> Cases => new()
    {
        { "penalty min-1", [(VhidField.FlapPenalty, 0)], [new(VhidField.FlapPenalty, "must be between 1 and 100000 (got '0')")] },
        { "penalty min", [(VhidField.FlapPenalty, 1)], [] },
        { "penalty max", [(VhidField.FlapPenalty, 100_000)], [] },
        { "penalty max+1", [(VhidField.FlapPenalty, 100_001)], [new(VhidField.FlapPenalty, "must be between 1 and 100000 (got '100001')")] },
        // 60 s x log2(1 000 000 / 750) = 622.8 s: more than the default maximum suppress time.
        { "suppress max with max suppress 623 s", [(VhidField.FlapSuppressThreshold, 1_000_000), (VhidField.FlapMaxSuppress, 623)], [] },
        {
            "suppress max with the default max suppress", [(VhidField.FlapSuppressThreshold, 1_000_000)],
            [new(VhidField.FlapMaxSuppress, "must be more than 622.8 s (half-life x log2(suppress / reuse)), or the penalty could never exceed the suppress threshold (got the default 600)")]
        },
        { "suppress max+1", [(VhidField.FlapSuppressThreshold, 1_000_001)], [new(VhidField.FlapSuppressThreshold, "must be between 2 and 1000000 (got '1000001')")] },
        { "suppress min with reuse min", [(VhidField.FlapSuppressThreshold, 2), (VhidField.FlapReuseThreshold, 1)], [] },
        { "reuse min-1", [(VhidField.FlapReuseThreshold, 0)], [new(VhidField.FlapReuseThreshold, "must be between 1 and 999999 (got '0')")] },
        { "half-life min-1", [(VhidField.FlapHalfLife, 0)], [new(VhidField.FlapHalfLife, "must be between 1 and 3600 (got '0')")] },
        { "half-life min", [(VhidField.FlapHalfLife, 1)], [] },
        { "half-life max with max suppress max", [(VhidField.FlapHalfLife, 3600), (VhidField.FlapMaxSuppress, 86_400)], [] },
        { "half-life max+1", [(VhidField.FlapHalfLife, 3601)], [new(VhidField.FlapHalfLife, "must be between 1 and 3600 (got '3601')")] },
        { "max suppress max+1", [(VhidField.FlapMaxSuppress, 86_401)], [new(VhidField.FlapMaxSuppress, "must be between 1 and 86400 (got '86401')")] },
        {
            "reuse at suppress", [(VhidField.FlapReuseThreshold, 3000)],
            [new(VhidField.FlapReuseThreshold, "must be below the suppress threshold 3000 (got '3000')")]
        },
        {
            "max suppress no longer than the decay from suppress to reuse", [(VhidField.FlapMaxSuppress, 120)],
            [new(VhidField.FlapMaxSuppress, "must be more than 120 s (half-life x log2(suppress / reuse)), or the penalty could never exceed the suppress threshold (got '120')")]
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EveryEntryPoint_SameFlapValues_SameVerdictAndSameMessagePerField(string name, (VhidField, long)[] values, VhidRuleError[] expected)
    {
        Assert.Equal(Expect(expected, f => Names[f].Flag), CarpCommandLine(values));
        var api = Expect(expected, f => "flapDamping." + Names[f].Member).Select(m => $"{m[..m.IndexOf(' ', StringComparison.Ordinal)]}: {m}").ToList();
        Assert.Equal(api, await RestApiAsync(values));
        Assert.Equal(api, Dashboard(values));
        _ = name;
    }

    private static List<string> Expect(IEnumerable<VhidRuleError> errors, Func<VhidField, string> name) =>
        errors.Select(e => e.Format(name)).Order(StringComparer.Ordinal).ToList();

    private static List<string> CarpCommandLine((VhidField, long)[] values)
    {
        List<string> args = ["-i", "eth-test0", "-v", "7", "-p", "carp-secret", "-a", "198.18.7.1"];
        args.AddRange(values.Select(v => $"{Names[v.Item1].Flag}={v.Item2.ToString(CultureInfo.InvariantCulture)}"));
        if (UcarpCommandLine.TryParse(args, out var parsed, out var error))
        {
            Assert.Single(parsed.Vhids);
            return [];
        }
        return [.. error.Split("; ").Order(StringComparer.Ordinal)];
    }

    private static JsonObject FlapObject((VhidField, long)[] values)
    {
        var flap = new JsonObject();
        foreach (var (field, value) in values)
        {
            flap[Names[field].Member] = value;
        }
        return flap;
    }

    private async Task<List<string>> RestApiAsync((VhidField, long)[] values)
    {
        var body = new JsonObject
        {
            ["interface"] = "eth-test0",
            ["vhid"] = 7,
            ["password"] = "carp-secret",
            ["vip"] = "198.18.7.1",
            ["flapDamping"] = FlapObject(values),
        };
        using var response = await host.Client.PostAsJsonAsync("/api/vhids", body);
        var answer = await Json.ReadAsync(response);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            using var deleted = await host.Client.DeleteAsync($"/api/vhids/{answer["id"]!.GetValue<int>()}");
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            return [];
        }
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return [.. answer["errors"]!.AsObject()
            .SelectMany(e => e.Value!.AsArray().Select(m => $"{e.Key}: {m!.GetValue<string>()}"))
            .Order(StringComparer.Ordinal)];
    }

    private List<string> Dashboard((VhidField, long)[] values)
    {
        long? Value(VhidField field) => values.Any(v => v.Item1 == field) ? values.First(v => v.Item1 == field).Item2 : null;
        var input = new VhidInput
        {
            Interface = "eth-test0",
            Vhid = 7,
            Password = "carp-secret",
            Vip = "198.18.7.1",
            FlapDamping = new FlapDampingInput
            {
                Penalty = Value(VhidField.FlapPenalty),
                SuppressThreshold = Value(VhidField.FlapSuppressThreshold),
                ReuseThreshold = Value(VhidField.FlapReuseThreshold),
                HalfLifeSeconds = Value(VhidField.FlapHalfLife),
                MaxSuppressSeconds = Value(VhidField.FlapMaxSuppress),
            },
        };
        var errors = host.Server.Services.GetRequiredService<VhidService>().Validate(input, existingId: null);
        return [.. errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")).Order(StringComparer.Ordinal)];
    }
}
