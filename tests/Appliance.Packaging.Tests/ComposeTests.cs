using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Appliance.Packaging.Tests;

public sealed partial class ComposeTests
{
    private static readonly YamlMappingNode Root = Load();
    private static YamlMappingNode Services => (YamlMappingNode)Root["services"];
    private static YamlMappingNode Appliance => (YamlMappingNode)Services["appliance"];

    private static YamlMappingNode Load()
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(Repository.PathOf("docker", "docker-compose.yml")));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static string Scalar(YamlNode node, string key) => ((YamlScalarNode)((YamlMappingNode)node)[key]).Value!;

    private static List<string> Sequence(YamlNode node, string key) =>
        ((YamlSequenceNode)((YamlMappingNode)node)[key]).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();

    private static Dictionary<string, string> Environment() =>
        ((YamlMappingNode)Appliance["environment"]).Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value ?? "");

    [Fact]
    public void Compose_Services_ApplianceAndApacheOnTheHostNetwork()
    {
        Assert.Equal(["appliance", "apache"], Services.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        foreach (var service in Services.Children.Values)
        {
            Assert.Equal("host", Scalar(service, "network_mode"));
            Assert.False(((YamlMappingNode)service).Children.ContainsKey("privileged"));
            Assert.False(((YamlMappingNode)service).Children.ContainsKey("ports"));
        }
    }

    [Fact]
    public void Compose_Appliance_OnlyRawAndAdminCapabilitiesAsNonRoot()
    {
        Assert.Equal(["NET_ADMIN", "NET_RAW"], Sequence(Appliance, "cap_add").Order(StringComparer.Ordinal));
        Assert.Equal(["ALL"], Sequence(Appliance, "cap_drop"));
        var user = Scalar(Appliance, "user");
        Assert.DoesNotMatch(@"^(0|root)(:|$)", user);
        Assert.Equal("10001:10001", user);
        // no-new-privileges would keep the apphost's file capabilities from being granted.
        Assert.False(Appliance.Children.ContainsKey("security_opt"));
    }

    [Fact]
    public void Compose_Appliance_DataVolumeAndHealthz()
    {
        Assert.Contains(Sequence(Appliance, "volumes"), v => v.EndsWith(":/var/lib/appliance", StringComparison.Ordinal));
        Assert.Contains("appliance-data", ((YamlMappingNode)Root["volumes"]).Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        var test = Sequence(Appliance["healthcheck"], "test");
        Assert.Equal("CMD", test[0]);
        Assert.Contains("/healthz", test);
        Assert.Equal("/var/lib/appliance", Environment()["APPLIANCE_DATA"]);
    }

    [Fact]
    public void Compose_Environment_EveryVariableDocumentedAndEveryDocumentedVariablePassed()
    {
        var documented = DocumentedVariables();
        var passed = Environment().Keys.ToHashSet(StringComparer.Ordinal);

        Assert.Empty(passed.Except(documented));
        Assert.Empty(documented.Where(v => v.StartsWith("APPLIANCE_", StringComparison.Ordinal)).Except(passed));
        Assert.Contains("ASPNETCORE_URLS", documented);
    }

    [Fact]
    public void EnvFiles_TwoNodes_ShareTheVhidAndDifferInSkewAndAddress()
    {
        var node1 = ReadEnv("node1.env");
        var node2 = ReadEnv("node2.env");
        var required = Environment().Where(p => p.Value.Contains(":?", StringComparison.Ordinal)).Select(p => p.Key).ToList();

        Assert.NotEmpty(required);
        foreach (var name in required)
        {
            Assert.True(node1.ContainsKey(name), $"node1.env lacks {name}");
            Assert.True(node2.ContainsKey(name), $"node2.env lacks {name}");
        }
        foreach (var shared in new[] { "APPLIANCE_VHID", "APPLIANCE_VIP", "APPLIANCE_PASSWORD", "APPLIANCE_VHID_INTERFACE" })
        {
            Assert.Equal(node1[shared], node2[shared]);
        }
        Assert.NotEqual(node1["APPLIANCE_SRCIP"], node2["APPLIANCE_SRCIP"]);
        Assert.True(int.Parse(node1["APPLIANCE_ADVSKEW"], System.Globalization.CultureInfo.InvariantCulture) < int.Parse(node2["APPLIANCE_ADVSKEW"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(node1.Keys.Order(StringComparer.Ordinal), node2.Keys.Order(StringComparer.Ordinal));
        var interpolated = InterpolatedNames().Matches(File.ReadAllText(Repository.PathOf("docker", "docker-compose.yml"))).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Empty(node1.Keys.Except(interpolated));
    }

    private static Dictionary<string, string> ReadEnv(string name) =>
        File.ReadAllLines(Repository.PathOf("docker", name))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    /// <summary>Variable names in the first column of docs/docker.md's tables (`NAME`).</summary>
    internal static HashSet<string> DocumentedVariables() =>
        DocumentedName().Matches(File.ReadAllText(Repository.PathOf("docs", "docker.md"))).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"(?m)^\|\s*`([A-Z][A-Z0-9_]+)`")]
    private static partial Regex DocumentedName();

    [GeneratedRegex(@"\$\{([A-Z][A-Z0-9_]*)")]
    private static partial Regex InterpolatedNames();
}
