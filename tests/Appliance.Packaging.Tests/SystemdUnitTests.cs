namespace Appliance.Packaging.Tests;

[Collection(PublishCollection.Name)]
public sealed class SystemdUnitTests(PublishFixture publish)
{
    private static readonly string UnitPath = Repository.PathOf("deploy", "appliance.service");

    /// <summary>Section → key → values (a key may repeat), as systemd reads it.</summary>
    private static Dictionary<string, Dictionary<string, List<string>>> ParseUnit(string text)
    {
        var sections = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
        Dictionary<string, List<string>>? current = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith(';'))
            {
                continue;
            }
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                current = new Dictionary<string, List<string>>(StringComparer.Ordinal);
                sections[line[1..^1]] = current;
                continue;
            }
            Assert.NotNull(current);
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            Assert.True(eq > 0, $"not a key=value line: {line}");
            var key = line[..eq].Trim();
            if (!current.TryGetValue(key, out var values))
            {
                current[key] = values = [];
            }
            values.Add(line[(eq + 1)..].Trim());
        }
        return sections;
    }

    [Fact]
    public void Unit_RequiredKeys_AsSpecified()
    {
        var service = ParseUnit(File.ReadAllText(UnitPath))["Service"];
        string One(string key) => Assert.Single(service[key]);

        Assert.Equal("/opt/appliance/appliance serve --data /var/lib/appliance", One("ExecStart"));
        Assert.Equal("appliance", One("User"));
        Assert.Equal("CAP_NET_RAW CAP_NET_ADMIN", One("AmbientCapabilities"));
        Assert.Equal("CAP_NET_RAW CAP_NET_ADMIN", One("CapabilityBoundingSet"));
        Assert.Equal("yes", One("NoNewPrivileges"));
        Assert.Equal("on-failure", One("Restart"));
        Assert.Equal("appliance", One("StateDirectory"));
        // The data directory is owner-only; a store that cannot be opened (exit 78) is not restarted in a loop.
        Assert.Equal("0700", One("StateDirectoryMode"));
        Assert.Equal("78", One("RestartPreventExitStatus"));
        // Hardening must leave raw sockets, AF_PACKET and rtnetlink usable.
        var families = One("RestrictAddressFamilies").Split(' ');
        Assert.Contains("AF_PACKET", families);
        Assert.Contains("AF_NETLINK", families);
        Assert.Contains("AF_INET", families);
        Assert.False(service.ContainsKey("PrivateNetwork"));
        Assert.False(service.ContainsKey("IPAddressDeny"));
        Assert.False(service.ContainsKey("MemoryDenyWriteExecute"));
        Assert.Equal("multi-user.target", Assert.Single(ParseUnit(File.ReadAllText(UnitPath))["Install"]["WantedBy"]));
    }

    [Fact]
    public async Task Unit_SystemdAnalyzeVerify_NoComplaints()
    {
        // The test machine has systemd-analyze (Debian's systemd package) but no /opt/appliance: verify a copy whose
        // ExecStart points at the freshly published apphost, so the check of the executable is real too.
        var analyze = new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.FirstOrDefault(File.Exists);
        Assert.True(analyze is not null, "systemd-analyze is not installed: apt-get install systemd");
        var dir = Directory.CreateTempSubdirectory("appliance-unit-");
        try
        {
            var unit = Path.Combine(dir.FullName, "appliance.service");
            File.WriteAllText(unit, File.ReadAllText(UnitPath).Replace("/opt/appliance/appliance", Path.Combine(publish.Output, "appliance"), StringComparison.Ordinal));

            var result = await ExternalProcess.RunAsync(analyze, ["verify", unit], TimeSpan.FromMinutes(1));

            Assert.True(result.ExitCode == 0, result.Output);
            // verify exits 0 even for unknown keys and unparsable values; it only says so on stderr.
            Assert.True(result.Stderr.Trim().Length == 0, result.Stderr);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Verify_BrokenCopy_IsNoticed()
    {
        // Guards the check above: a misspelt hardening key must show up on stderr.
        var analyze = new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.First(File.Exists);
        var dir = Directory.CreateTempSubdirectory("appliance-unit-");
        try
        {
            var unit = Path.Combine(dir.FullName, "appliance.service");
            File.WriteAllText(unit, File.ReadAllText(UnitPath)
                .Replace("/opt/appliance/appliance", Path.Combine(publish.Output, "appliance"), StringComparison.Ordinal)
                .Replace("ProtectSystem=strict", "ProtectSystem=strictly", StringComparison.Ordinal));

            var result = await ExternalProcess.RunAsync(analyze, ["verify", unit], TimeSpan.FromMinutes(1));

            Assert.Contains("strictly", result.Stderr + result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
