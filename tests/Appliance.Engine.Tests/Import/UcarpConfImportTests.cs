using System.Net;
using Appliance.Engine.Import;

namespace Appliance.Engine.Tests.Import;

public sealed class UcarpConfImportTests
{
    // What the seed host carried in /etc/ucarp/ucarp.conf, sourced by its init script.
    private const string SeedConf = """
        # /etc/ucarp/ucarp.conf -- sourced by /etc/init.d/ucarp
        # Shared web address of the two Apache nodes.

        UCARP_INTERFACE=eth0
        UCARP_SRCIP=198.18.0.2
        export UCARP_VHID=3
        UCARP_PASS="s3cret pw"   # keep in sync with node2
        UCARP_ADVBASE=1
        UCARP_ADVSKEW=0
        UCARP_PREEMPT=yes
        UCARP_ADDR=198.18.0.1
        UCARP_NETMASK=255.255.255.0
        UCARP_UPSCRIPT=/usr/share/ucarp/vip-up
        UCARP_DOWNSCRIPT='/usr/share/ucarp/vip-down'
        UCARP_DEADRATIO=3
        UCARP_XPARAM=web
        UCARP_NOMCAST=no
        UCARP_NEUTRAL=no
        """;

    [Fact]
    public void Parse_SeedConf_ImportsOneManagedVhid()
    {
        var result = UcarpConfigImporter.Parse(SeedConf, "ucarp.conf");

        Assert.Equal(UcarpConfigFormat.ShellVariables, result.Format);
        Assert.False(result.HasErrors, string.Join("\n", result.Messages.Select(m => m.Format("ucarp.conf"))));
        var v = Assert.Single(result.Vhids);
        Assert.Equal("eth0", v.Interface);
        Assert.Equal(IPAddress.Parse("198.18.0.2"), v.SourceAddress);
        Assert.Equal(3, v.Vhid);
        Assert.Equal("s3cret pw", v.Password);
        Assert.Equal(IPAddress.Parse("198.18.0.1"), v.VirtualAddress);
        Assert.Equal(24, v.PrefixLength);
        Assert.Equal(1, v.AdvBase);
        Assert.Equal(0, v.AdvSkew);
        Assert.True(v.Preempt);
        Assert.False(v.NoMulticast);
        Assert.False(v.Neutral);
        Assert.Equal(3u, v.DeadRatio);
        Assert.Equal("web", v.ExtraParameter);
        Assert.True(v.ManageVip);
        Assert.Null(v.UpScript);
        Assert.Null(v.DownScript);
    }

    [Fact]
    public void Parse_DebianDefaultScripts_DroppedWithInfoOnTheirLines()
    {
        var result = UcarpConfigImporter.Parse(SeedConf, "ucarp.conf");

        var up = Assert.Single(result.Messages, m => m.Line == 13);
        Assert.Equal(ImportSeverity.Info, up.Severity);
        Assert.Contains("UCARP_UPSCRIPT", up.Text, StringComparison.Ordinal);
        Assert.Contains("adds and removes the VIP itself", up.Text, StringComparison.Ordinal);
        var down = Assert.Single(result.Messages, m => m.Line == 14);
        Assert.Contains("UCARP_DOWNSCRIPT", down.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeedConf_NoWarningsForMappedLines()
    {
        var result = UcarpConfigImporter.Parse(SeedConf, "ucarp.conf");

        Assert.DoesNotContain(result.Messages, m => m.Severity != ImportSeverity.Info);
    }

    [Fact]
    public void Parse_UnmappableLines_EachGetsAWarningOnItsLine()
    {
        const string text = """
            UCARP_INTERFACE=eth1
            UCARP_VID=7
            UCARP_PASSWORD=pw
            UCARP_VIP=198.18.1.1/24
            if [ -f /etc/default/ucarp ]; then
              . /etc/default/ucarp
            fi
            UCARP_FOO=bar
            UCARP_ADVSKEW=$(hostname | wc -c)
            UCARP_XPARAM=a; rm -rf /tmp/x
            UCARP_SRCIP=$NODE_IP
            """;

        var result = UcarpConfigImporter.Parse(text, "ucarp.conf");

        var v = Assert.Single(result.Vhids);
        Assert.Equal(7, v.Vhid);
        Assert.Equal(24, v.PrefixLength);
        Assert.Equal(0, v.AdvSkew);
        Assert.Null(v.ExtraParameter);
        foreach (var line in new[] { 5, 6, 7, 8, 9, 10, 11 })
        {
            Assert.Contains(result.Messages, m => m.Line == line && m.Severity == ImportSeverity.Warning);
        }
        Assert.Contains("UCARP_FOO", result.Messages.Single(m => m.Line == 8).Text, StringComparison.Ordinal);
        Assert.Contains("command substitution", result.Messages.Single(m => m.Line == 9).Text, StringComparison.Ordinal);
        Assert.Contains("NODE_IP", result.Messages.Single(m => m.Line == 11).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_VhidOutOfRange_ErrorNamesTheVariableAndNothingIsImported()
    {
        const string text = """
            UCARP_INTERFACE=eth0
            UCARP_VHID=300
            UCARP_PASS=pw
            UCARP_ADDR=198.18.0.1
            """;

        var result = UcarpConfigImporter.Parse(text, "ucarp.conf");

        Assert.Empty(result.Vhids);
        var error = Assert.Single(result.Messages, m => m.Severity == ImportSeverity.Error);
        Assert.Equal(2, error.Line);
        Assert.Contains("UCARP_VHID", error.Text, StringComparison.Ordinal);
        Assert.Contains("300", error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralBadValues_EveryOneReportedOnItsLine()
    {
        const string text = """
            UCARP_INTERFACE=eth0
            UCARP_VHID=3
            UCARP_PASS=pw
            UCARP_ADDR=198.18.0.1
            UCARP_ADVSKEW=999
            UCARP_SRCIP=not-an-ip
            UCARP_NETMASK=255.0.255.0
            UCARP_PREEMPT=maybe
            UCARP_DEADRATIO=0
            """;

        var result = UcarpConfigImporter.Parse(text, "ucarp.conf");

        Assert.Empty(result.Vhids);
        var errors = result.Messages.Where(m => m.Severity == ImportSeverity.Error).ToList();
        Assert.Equal([5, 6, 7, 8, 9], errors.Select(e => e.Line).Order());
        Assert.Contains("UCARP_ADVSKEW", errors.Single(e => e.Line == 5).Text, StringComparison.Ordinal);
        Assert.Contains("UCARP_SRCIP", errors.Single(e => e.Line == 6).Text, StringComparison.Ordinal);
        Assert.Contains("UCARP_NETMASK", errors.Single(e => e.Line == 7).Text, StringComparison.Ordinal);
        Assert.Contains("UCARP_PREEMPT", errors.Single(e => e.Line == 8).Text, StringComparison.Ordinal);
        Assert.Contains("UCARP_DEADRATIO", errors.Single(e => e.Line == 9).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingAddress_ErrorNamesTheVariable()
    {
        const string text = """
            UCARP_INTERFACE=eth0
            UCARP_VHID=3
            UCARP_PASS=pw
            """;

        var result = UcarpConfigImporter.Parse(text, "ucarp.conf");

        Assert.Empty(result.Vhids);
        var error = Assert.Single(result.Messages, m => m.Severity == ImportSeverity.Error);
        Assert.Contains("UCARP_ADDR is required", error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OptsVariable_ParsedAsUcarpArgumentsAndProcessFlagsReported()
    {
        const string text = """
            UCARP_INTERFACE=eth0
            UCARP_VHID=9
            UCARP_PASS=pw
            UCARP_ADDR=198.18.0.1
            UCARP_OPTS="-k 100 --neutral -B -z --mcast=239.1.2.3"
            """;

        var result = UcarpConfigImporter.Parse(text, "ucarp.conf");

        var v = Assert.Single(result.Vhids);
        Assert.Equal(100, v.AdvSkew);
        Assert.True(v.Neutral);
        Assert.Equal(IPAddress.Parse("239.1.2.3"), v.MulticastGroup);
        var info = Assert.Single(result.Messages, m => m.Line == 5);
        Assert.Contains("--daemonize", info.Text, StringComparison.Ordinal);
        Assert.Contains("--shutdown", info.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PeersInOpts_ImportedAsUnicastPeers()
    {
        const string text = """
            UCARP_INTERFACE=eth0
            UCARP_VHID=9
            UCARP_PASS=pw
            UCARP_ADDR=198.18.0.1
            UCARP_OPTS="--peer 198.18.0.3 --peer=198.18.0.4"
            """;

        var result = UcarpConfigImporter.Parse(text, "ucarp.conf");

        Assert.False(result.HasErrors, string.Join("\n", result.Messages.Select(m => m.Format("ucarp.conf"))));
        Assert.Equal([IPAddress.Parse("198.18.0.3"), IPAddress.Parse("198.18.0.4")], Assert.Single(result.Vhids).Peers);
    }

    [Fact]
    public void Parse_PeersWithNomcast_ErrorNamesBothSettingsAsTheFileSpellsThem()
    {
        const string text = """
            UCARP_INTERFACE=eth0
            UCARP_VHID=9
            UCARP_PASS=pw
            UCARP_ADDR=198.18.0.1
            UCARP_NOMCAST=yes
            UCARP_OPTS="--peer fd00::3"
            """;

        var result = UcarpConfigImporter.Parse(text, "ucarp.conf");

        Assert.Empty(result.Vhids);
        var errors = result.Messages.Where(m => m.Severity == ImportSeverity.Error).Select(m => m.Format("ucarp.conf")).ToList();
        Assert.Contains("ucarp.conf:6: error: UCARP_OPTS: --peer and UCARP_NOMCAST cannot be combined: unicast peers on a VHID that also names ucarp-only flags (ucarp has no unicast mode)", errors);
        Assert.Contains("ucarp.conf:6: error: UCARP_OPTS: --peer must be IPv4 for now: IPv6 peers need an IPv6 VIP (not supported yet) (got 'fd00::3')", errors);
    }

    [Fact]
    public void Parse_BadOption_ErrorOnTheOptsLine()
    {
        const string text = """
            UCARP_INTERFACE=eth0
            UCARP_VHID=9
            UCARP_PASS=pw
            UCARP_ADDR=198.18.0.1
            UCARP_OPTS="--frobnicate"
            """;

        var result = UcarpConfigImporter.Parse(text, "ucarp.conf");

        Assert.Empty(result.Vhids);
        var error = Assert.Single(result.Messages, m => m.Severity == ImportSeverity.Error);
        Assert.Equal(5, error.Line);
        Assert.Contains("--frobnicate", error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_VariableReferencesAndCustomScript_ExpandedAndKept()
    {
        const string text = """
            NET=198.18.4
            UCARP_INTERFACE=eth0
            UCARP_VHID=4
            UCARP_PASS=pw
            UCARP_ADDR="${NET}.1"
            UCARP_SRCIP=$NET.2
            UCARP_UPSCRIPT=/etc/ucarp/up.sh
            UCARP_NETMASK=/26
            UCARP_VHID=5
            """;

        var result = UcarpConfigImporter.Parse(text, "ucarp.conf");

        var v = Assert.Single(result.Vhids);
        Assert.Equal(IPAddress.Parse("198.18.4.1"), v.VirtualAddress);
        Assert.Equal(IPAddress.Parse("198.18.4.2"), v.SourceAddress);
        Assert.Equal("/etc/ucarp/up.sh", v.UpScript);
        Assert.Equal(26, v.PrefixLength);
        Assert.Equal(5, v.Vhid);
        Assert.DoesNotContain(result.Messages, m => m.Line == 1);
        Assert.Contains(result.Messages, m => m.Line == 9 && m.Severity == ImportSeverity.Warning && m.Text.Contains("line 3", StringComparison.Ordinal));
    }

    [Fact]
    public void Format_Message_CompilerStyle()
    {
        var message = new ImportMessage(4, "UCARP_FOO is unknown", ImportSeverity.Warning);

        Assert.Equal("ucarp.conf:4: warning: UCARP_FOO is unknown", message.Format("ucarp.conf"));
    }
}
