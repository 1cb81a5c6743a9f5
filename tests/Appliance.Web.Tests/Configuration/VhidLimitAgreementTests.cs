using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Engine.Cli;
using Appliance.Engine.Configuration;
using Appliance.Web.Services;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Configuration;

/// <summary>One started host (fake engine, in-memory data plane) shared by every row of the agreement table.</summary>
public sealed class AgreementHost : IAsyncLifetime
{
    public TestHost Server { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await TestHost.StartAsync(new TestHostOptions { UseFakeEngine = true });
        Client = await Server.CreateAuthenticatedClientAsync();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>
/// The four entry points of a VHID (carp's command line, import of a ucarp.conf, the REST API and the
/// dashboard's validation) get the same values, each limit at its edges (min-1, min, max, max+1) and the
/// combinations, and must agree: the same accept or reject, and per field the same message after the field's
/// name as that entry point spells it.
/// </summary>
public sealed class VhidLimitAgreementTests(AgreementHost host) : IClassFixture<AgreementHost>
{
    /// <summary>A valid VHID; each row overrides some of it. advskew 10 so that advbase 0 alone is valid.</summary>
    private static readonly IReadOnlyDictionary<VhidField, string> Base = new Dictionary<VhidField, string>
    {
        [VhidField.Interface] = "eth-test0",
        [VhidField.Vhid] = "7",
        [VhidField.Password] = "carp-secret",
        [VhidField.VirtualAddress] = "198.18.7.1",
        [VhidField.PrefixLength] = "24",
        [VhidField.AdvBase] = "1",
        [VhidField.AdvSkew] = "10",
        [VhidField.DeadRatio] = "3",
    };

    private static readonly HashSet<VhidField> Numbers = [VhidField.Vhid, VhidField.PrefixLength, VhidField.AdvBase, VhidField.AdvSkew, VhidField.DeadRatio];

    private static readonly Dictionary<VhidField, string> CarpFlags = new()
    {
        [VhidField.Interface] = "--interface",
        [VhidField.Vhid] = "--vhid",
        [VhidField.Password] = "--pass",
        [VhidField.VirtualAddress] = "--addr",
        [VhidField.PrefixLength] = "--prefixlen",
        [VhidField.AdvBase] = "--advbase",
        [VhidField.AdvSkew] = "--advskew",
        [VhidField.DeadRatio] = "--deadratio",
    };

    private static readonly Dictionary<VhidField, string> UcarpConfNames = new()
    {
        [VhidField.Interface] = "UCARP_INTERFACE",
        [VhidField.Vhid] = "UCARP_VHID",
        [VhidField.Password] = "UCARP_PASS",
        [VhidField.VirtualAddress] = "UCARP_ADDR",
        [VhidField.PrefixLength] = "UCARP_NETMASK",
        [VhidField.AdvBase] = "UCARP_ADVBASE",
        [VhidField.AdvSkew] = "UCARP_ADVSKEW",
        [VhidField.DeadRatio] = "UCARP_DEADRATIO",
    };

    private static readonly Dictionary<VhidField, string> ApiNames = new()
    {
        [VhidField.Interface] = "interface",
        [VhidField.Vhid] = "vhid",
        [VhidField.Password] = "password",
        [VhidField.VirtualAddress] = "vip",
        [VhidField.PrefixLength] = "prefixLength",
        [VhidField.AdvBase] = "advbase",
        [VhidField.AdvSkew] = "advskew",
        [VhidField.DeadRatio] = "deadratio",
    };

    private static readonly string Bytes19 = new('a', 19);
    private static readonly string Bytes20 = new('é', 10);

    /// <summary>Name, the values that differ from <see cref="Base"/>, and every expected error (none: accepted).</summary>
    public static TheoryData<string, (VhidField, string)[], VhidRuleError[]> Cases => new()
    {
        { "vhid min-1", [(VhidField.Vhid, "0")], [new(VhidField.Vhid, "must be between 1 and 255 (got '0')")] },
        { "vhid min", [(VhidField.Vhid, "1")], [] },
        { "vhid max", [(VhidField.Vhid, "255")], [] },
        { "vhid max+1", [(VhidField.Vhid, "256")], [new(VhidField.Vhid, "must be between 1 and 255 (got '256')")] },
        { "advbase min-1", [(VhidField.AdvBase, "-1")], [new(VhidField.AdvBase, "must be between 0 and 255 (got '-1')")] },
        { "advbase min", [(VhidField.AdvBase, "0")], [] },
        { "advbase max", [(VhidField.AdvBase, "255")], [] },
        { "advbase max+1", [(VhidField.AdvBase, "256")], [new(VhidField.AdvBase, "must be between 0 and 255 (got '256')")] },
        { "advskew min-1", [(VhidField.AdvSkew, "-1")], [new(VhidField.AdvSkew, "must be between 0 and 254 (got '-1')")] },
        { "advskew min", [(VhidField.AdvSkew, "0")], [] },
        { "advskew max", [(VhidField.AdvSkew, "254")], [] },
        { "advskew max+1, the bow-out value", [(VhidField.AdvSkew, "255")], [new(VhidField.AdvSkew, "must be between 0 and 254 (got '255')")] },
        { "deadratio min-1", [(VhidField.DeadRatio, "0")], [new(VhidField.DeadRatio, "must be between 1 and 255 (got '0')")] },
        { "deadratio min", [(VhidField.DeadRatio, "1")], [] },
        { "deadratio max", [(VhidField.DeadRatio, "255")], [] },
        { "deadratio max+1", [(VhidField.DeadRatio, "256")], [new(VhidField.DeadRatio, "must be between 1 and 255 (got '256')")] },
        { "prefix length min-1", [(VhidField.PrefixLength, "0")], [new(VhidField.PrefixLength, "must be between 1 and 32 (got '0')")] },
        { "prefix length min", [(VhidField.PrefixLength, "1")], [] },
        { "prefix length max", [(VhidField.PrefixLength, "32")], [] },
        { "prefix length max+1", [(VhidField.PrefixLength, "33")], [new(VhidField.PrefixLength, "must be between 1 and 32 (got '33')")] },
        {
            "advbase 0 with advskew 0: an advert interval of zero", [(VhidField.AdvBase, "0"), (VhidField.AdvSkew, "0")],
            [new(VhidField.AdvBase, "must not both be 0 (the advert interval would be zero)", VhidField.AdvSkew)]
        },
        { "advbase 0 with advskew 1", [(VhidField.AdvBase, "0"), (VhidField.AdvSkew, "1")], [] },
        { "the bow-out pair 255/255", [(VhidField.AdvBase, "255"), (VhidField.AdvSkew, "255")], [new(VhidField.AdvSkew, "must be between 0 and 254 (got '255')")] },
        { "the worst configurable priority 255/254", [(VhidField.AdvBase, "255"), (VhidField.AdvSkew, "254")], [] },
        { "password at ucarp's 19 bytes", [(VhidField.Password, Bytes19)], [] },
        { "password 20 bytes", [(VhidField.Password, Bytes19 + "a")], [new(VhidField.Password, "is too long: at most 19 bytes (got 20 bytes)")] },
        { "password 10 characters of 2 bytes", [(VhidField.Password, Bytes20)], [new(VhidField.Password, "is too long: at most 19 bytes (got 20 bytes)")] },
        { "vip of three octets", [(VhidField.VirtualAddress, "198.18.7")], [new(VhidField.VirtualAddress, "must be a unicast IPv4 address (got '198.18.7')")] },
        { "vip multicast", [(VhidField.VirtualAddress, "224.0.0.18")], [new(VhidField.VirtualAddress, "must be a unicast IPv4 address (got '224.0.0.18')")] },
        { "vip with a leading zero", [(VhidField.VirtualAddress, "198.18.7.01")], [new(VhidField.VirtualAddress, "must be a unicast IPv4 address (got '198.18.7.01')")] },
        {
            "every error at once", [(VhidField.Vhid, "300"), (VhidField.AdvSkew, "255"), (VhidField.DeadRatio, "0"), (VhidField.Password, Bytes20)],
            [
                new(VhidField.Vhid, "must be between 1 and 255 (got '300')"),
                new(VhidField.Password, "is too long: at most 19 bytes (got 20 bytes)"),
                new(VhidField.AdvSkew, "must be between 0 and 254 (got '255')"),
                new(VhidField.DeadRatio, "must be between 1 and 255 (got '0')"),
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EveryEntryPoint_SameValues_SameVerdictAndSameMessagePerField(string name, (VhidField, string)[] changes, VhidRuleError[] expected)
    {
        var values = new Dictionary<VhidField, string>(Base);
        foreach (var (field, value) in changes)
        {
            values[field] = value;
        }

        Assert.Equal(Expect(expected, CarpFlags), CarpCommandLine(values));
        Assert.Equal(Expect(expected, UcarpConfNames), await ImportAsync(values));
        Assert.Equal(ExpectByField(expected), await RestApiAsync(values));
        Assert.Equal(ExpectByField(expected), Dashboard(values));
        _ = name;
    }

    /// <summary>The messages one entry point must give, sorted: the field as it spells it, then the shared problem.</summary>
    private static List<string> Expect(IEnumerable<VhidRuleError> errors, Dictionary<VhidField, string> names) =>
        errors.Select(e => e.Format(f => names[f])).Order(StringComparer.Ordinal).ToList();

    private static List<string> ExpectByField(IEnumerable<VhidRuleError> errors) =>
        errors.Select(e => $"{ApiNames[e.Field]}: {e.Format(f => ApiNames[f])}").Order(StringComparer.Ordinal).ToList();

    /// <summary>appliance carp's parser; its one error line holds every problem, separated by "; ".</summary>
    private static List<string> CarpCommandLine(Dictionary<VhidField, string> values)
    {
        var args = values.Select(v => $"{CarpFlags[v.Key]}={v.Value}").ToList();
        if (UcarpCommandLine.TryParse(args, out var parsed, out var error))
        {
            Assert.Single(parsed.Vhids);
            return [];
        }
        return [.. error.Split("; ").Order(StringComparer.Ordinal)];
    }

    /// <summary>POST /api/import of a ucarp.conf, the importer `appliance import` uses too.</summary>
    private async Task<List<string>> ImportAsync(Dictionary<VhidField, string> values)
    {
        var text = string.Join('\n', values.Select(v => $"{UcarpConfNames[v.Key]}={v.Value}"));
        using var response = await host.Client.PostAsJsonAsync("/api/import", new { text, sourceName = "ucarp.conf" });
        var body = await Json.ReadAsync(response);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            var id = Assert.Single(body["created"]!.AsArray())!.GetValue<int>();
            await DeleteAsync(id);
            return [];
        }
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return [.. body["messages"]!.AsArray()
            .Where(m => m!["severity"]!.GetValue<string>() == "error")
            .Select(m => m!["text"]!.GetValue<string>())
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>POST /api/vhids with the numbers as JSON numbers; errors as "field: message".</summary>
    private async Task<List<string>> RestApiAsync(Dictionary<VhidField, string> values)
    {
        var body = new JsonObject();
        foreach (var (field, value) in values)
        {
            body[ApiNames[field]] = Numbers.Contains(field) ? JsonValue.Create(long.Parse(value, CultureInfo.InvariantCulture)) : JsonValue.Create(value);
        }
        using var response = await host.Client.PostAsJsonAsync("/api/vhids", body);
        var answer = await Json.ReadAsync(response);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            await DeleteAsync(answer["id"]!.GetValue<int>());
            return [];
        }
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return [.. answer["errors"]!.AsObject()
            .SelectMany(e => e.Value!.AsArray().Select(m => $"{e.Key}: {m!.GetValue<string>()}"))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The service the dashboard's VHID form calls on every change and on save.</summary>
    private List<string> Dashboard(Dictionary<VhidField, string> values)
    {
        long? Number(VhidField field) => values.TryGetValue(field, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : null;
        var input = new VhidInput
        {
            Interface = values.GetValueOrDefault(VhidField.Interface),
            Vhid = (int?)Number(VhidField.Vhid),
            Password = values.GetValueOrDefault(VhidField.Password),
            Vip = values.GetValueOrDefault(VhidField.VirtualAddress),
            PrefixLength = (int?)Number(VhidField.PrefixLength),
            AdvBase = (int?)Number(VhidField.AdvBase),
            AdvSkew = (int?)Number(VhidField.AdvSkew),
            DeadRatio = Number(VhidField.DeadRatio),
        };
        var errors = host.Server.Services.GetRequiredService<VhidService>().Validate(input, existingId: null);
        return [.. errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")).Order(StringComparer.Ordinal)];
    }

    private async Task DeleteAsync(int id)
    {
        using var deleted = await host.Client.DeleteAsync($"/api/vhids/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }
}
