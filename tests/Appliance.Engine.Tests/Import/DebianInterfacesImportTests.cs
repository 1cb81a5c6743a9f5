using System.Net;
using Appliance.Engine.Import;

namespace Appliance.Engine.Tests.Import;

public sealed class DebianInterfacesImportTests
{
    // README.Debian's layout (docs/carp-protocol.md, 10.3) on the seed host, with a second VHID on eth1.
    private const string SeedInterfaces = """
        # /etc/network/interfaces
        source /etc/network/interfaces.d/*

        auto lo
        iface lo inet loopback

        auto eth0
        iface eth0 inet static
            address 198.18.0.2
            netmask 255.255.255.0
            gateway 198.18.0.254
            ucarp-vid 3
            ucarp-vip 198.18.0.1
            ucarp-password s3cret
            ucarp-advskew 0
            ucarp-advbase 1
            ucarp-master yes
            ucarp-upscript /usr/share/ucarp/vip-up
            ucarp-downscript /usr/share/ucarp/vip-down

        iface eth0:ucarp inet static
            address 198.18.0.1
            netmask 255.255.255.0

        auto eth1
        iface eth1 inet static
            address 198.18.2.2/24
            ucarp-vid 12
            ucarp-vip 198.18.2.1
            ucarp-password other
            ucarp-advskew 50
            ucarp-master no
            ucarp-nomcast true
            ucarp-deadratio 4
            ucarp-xparam db
            ucarp-upscript /etc/ucarp/db-up.sh
            ucarp-colour blue
        """;

    [Theory]
    [InlineData("iface eth0 inet static\n\\\n\n    ucarp-vid 3\n")] // found by fuzz/run interfaces
    [InlineData("auto lo\n  \\\n")]
    [InlineData("iface eth0 inet static\n\\ \\\n\t\n")]
    public void Parse_BackslashJoinedToAnEmptyLine_IsAnEmptyLineNotACrash(string text)
    {
        var result = UcarpConfigImporter.Parse(text, "interfaces");

        Assert.Equal(UcarpConfigFormat.DebianInterfaces, result.Format);
        Assert.Empty(result.Vhids);
        Assert.DoesNotContain(result.Messages, m => m.Text.Contains('\\', StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_SeedInterfaces_DetectsDebianFormatAndImportsTwoVhids()
    {
        var result = UcarpConfigImporter.Parse(SeedInterfaces, "interfaces");

        Assert.Equal(UcarpConfigFormat.DebianInterfaces, result.Format);
        Assert.False(result.HasErrors, string.Join("\n", result.Messages.Select(m => m.Format("interfaces"))));
        Assert.Equal(2, result.Vhids.Count);

        var web = result.Vhids.Single(v => v.Interface == "eth0");
        Assert.Equal(3, web.Vhid);
        Assert.Equal(IPAddress.Parse("198.18.0.2"), web.SourceAddress);
        Assert.Equal(IPAddress.Parse("198.18.0.1"), web.VirtualAddress);
        Assert.Equal(24, web.PrefixLength);
        Assert.Equal("s3cret", web.Password);
        Assert.True(web.Preempt);
        Assert.True(web.ManageVip);
        Assert.Null(web.UpScript);
        Assert.Null(web.DownScript);

        var db = result.Vhids.Single(v => v.Interface == "eth1");
        Assert.Equal(12, db.Vhid);
        Assert.Equal(IPAddress.Parse("198.18.2.2"), db.SourceAddress);
        Assert.Equal(32, db.PrefixLength);
        Assert.Equal(50, db.AdvSkew);
        Assert.False(db.Preempt);
        Assert.True(db.NoMulticast);
        Assert.Equal(4u, db.DeadRatio);
        Assert.Equal("db", db.ExtraParameter);
        Assert.Equal("/etc/ucarp/db-up.sh", db.UpScript);
    }

    [Fact]
    public void Parse_SeedInterfaces_EveryNonCarpLineExplained()
    {
        var result = UcarpConfigImporter.Parse(SeedInterfaces, "interfaces");

        var byLine = result.Messages.ToLookup(m => m.Line);
        Assert.Equal(ImportSeverity.Warning, byLine[2].Single().Severity);      // source: not followed
        Assert.Contains("left to ifupdown", byLine[5].Single().Text, StringComparison.Ordinal); // iface lo
        Assert.Contains("gateway", byLine[11].Single().Text, StringComparison.Ordinal);
        Assert.Contains("vip-up", byLine[18].Single().Text, StringComparison.Ordinal);
        Assert.Contains("vip-down", byLine[19].Single().Text, StringComparison.Ordinal);
        Assert.Contains("no longer needed", byLine[21].Single().Text, StringComparison.Ordinal);
        var unknown = byLine[37].Single();
        Assert.Equal(ImportSeverity.Warning, unknown.Severity);
        Assert.Contains("ucarp-colour", unknown.Text, StringComparison.Ordinal);
        // The VHID without an alias stanza says where its /32 comes from.
        Assert.Contains(result.Messages, m => m.Line == 26 && m.Text.Contains("/32", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_BadVid_ErrorNamesTheOptionAndOnlyThatStanzaIsDropped()
    {
        var text = SeedInterfaces.Replace("ucarp-vid 12", "ucarp-vid 300", StringComparison.Ordinal);

        var result = UcarpConfigImporter.Parse(text, "interfaces");

        var only = Assert.Single(result.Vhids);
        Assert.Equal("eth0", only.Interface);
        var error = Assert.Single(result.Messages, m => m.Severity == ImportSeverity.Error);
        Assert.Equal(28, error.Line);
        Assert.Contains("ucarp-vid", error.Text, StringComparison.Ordinal);
        Assert.Contains("300", error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_StanzaWithoutPassword_WarnsLikeTheHookWouldNotStartIt()
    {
        const string text = """
            iface eth0 inet static
                address 198.18.0.2
                ucarp-vid 3
                ucarp-vip 198.18.0.1
            """;

        var result = UcarpConfigImporter.Parse(text, "interfaces");

        Assert.Empty(result.Vhids);
        var warning = Assert.Single(result.Messages, m => m.Line == 1 && m.Severity == ImportSeverity.Warning);
        Assert.Contains("ucarp-password", warning.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("1", true)]
    [InlineData("on", true)]
    [InlineData("no", false)]
    [InlineData("nope", false)]
    [InlineData("off", false)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    public void Parse_UcarpMaster_FollowsTheHooksTruthRule(string value, bool preempt)
    {
        var text = $"""
            iface eth0 inet static
                address 198.18.0.2
                ucarp-vid 3
                ucarp-vip 198.18.0.1
                ucarp-password pw
                ucarp-master {value}
            """;

        var result = UcarpConfigImporter.Parse(text, "interfaces");

        Assert.Equal(preempt, Assert.Single(result.Vhids).Preempt);
    }

    [Fact]
    public void Parse_AliasAddressDiffersFromVip_WarnsOnTheAliasLine()
    {
        const string text = """
            iface eth0 inet static
                address 198.18.0.2
                ucarp-vid 3
                ucarp-vip 198.18.0.1
                ucarp-password pw
            iface eth0:ucarp inet static
                address 198.18.0.9/25
            """;

        var result = UcarpConfigImporter.Parse(text, "interfaces");

        var v = Assert.Single(result.Vhids);
        Assert.Equal(25, v.PrefixLength);
        Assert.Equal(IPAddress.Parse("198.18.0.1"), v.VirtualAddress);
        Assert.Contains(result.Messages, m => m.Line == 7 && m.Severity == ImportSeverity.Warning);
    }

    [Fact]
    public void DetectFormat_ShellVariables_NotDebian()
    {
        Assert.Equal(UcarpConfigFormat.ShellVariables, UcarpConfigImporter.DetectFormat("# ucarp\nUCARP_VHID=3\n"));
        Assert.Equal(UcarpConfigFormat.DebianInterfaces, UcarpConfigImporter.DetectFormat("# net\nauto eth0\n"));
    }
}
