using System.Net;
using Appliance.Engine.Cli;
using Appliance.Engine.StateMachine;

namespace Appliance.Engine.Tests.Cli;

public sealed class UcarpCommandLineTests : IDisposable
{
    private static readonly string[] Required = ["-i", "veth0", "-v", "42", "-p", "secret", "-a", "198.18.0.100"];
    private readonly string _dir = Directory.CreateTempSubdirectory("ucarp-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static CarpCommandLine Parse(params string[] args)
    {
        Assert.True(UcarpCommandLine.TryParse(args, out var result, out var error), error);
        return result;
    }

    private static VhidConfig One(params string[] args) => Assert.Single(Parse(args).Vhids);

    private static string Error(params string[] args)
    {
        Assert.False(UcarpCommandLine.TryParse(args, out var result, out var error));
        Assert.Null(result);
        return error;
    }

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void TryParse_LongOptionsWithSpaceValues_SetEveryField()
    {
        var c = One("--interface", "veth0", "--srcip", "198.18.0.1", "--vhid", "42", "--pass", "secret",
            "--addr", "198.18.0.100", "--advbase", "2", "--advskew", "100", "--deadratio", "4",
            "--upscript", "/up.sh", "--downscript", "/down.sh", "--xparam", "extra1", "--preempt", "--neutral",
            "--nomcast", "--ignoreifstate", "--mcast", "239.1.2.3");
        Assert.Equal("veth0", c.Interface);
        Assert.Equal(IPAddress.Parse("198.18.0.1"), c.SourceAddress);
        Assert.Equal(42, c.Vhid);
        Assert.Equal("secret", c.Password);
        Assert.Equal(IPAddress.Parse("198.18.0.100"), c.VirtualAddress);
        Assert.Equal("198.18.0.100", c.VirtualAddressText);
        Assert.Equal(2, c.AdvBase);
        Assert.Equal(100, c.AdvSkew);
        Assert.Equal(4u, c.DeadRatio);
        Assert.Equal("/up.sh", c.UpScript);
        Assert.Equal("/down.sh", c.DownScript);
        Assert.Equal("extra1", c.ExtraParameter);
        Assert.True(c.Preempt);
        Assert.True(c.Neutral);
        Assert.True(c.NoMulticast);
        Assert.True(c.IgnoreInterfaceState);
        Assert.Equal(IPAddress.Parse("239.1.2.3"), c.MulticastGroup);
        Assert.False(c.ManageVip);
        Assert.Equal(32, c.PrefixLength);
    }

    [Fact]
    public void TryParse_ShortOptions_SetEveryField()
    {
        var r = Parse("-i", "veth0", "-s", "198.18.0.1", "-v", "42", "-p", "secret", "-a", "198.18.0.100", "-b", "2",
            "-k", "100", "-r", "4", "-u", "/up.sh", "-d", "/down.sh", "-x", "extra1", "-P", "-n", "-M", "-S",
            "-z", "-B", "-D", "-f", "local3");
        var c = Assert.Single(r.Vhids);
        Assert.Equal(("veth0", 42, "secret", 2, 100, 4u), (c.Interface, (int)c.Vhid, c.Password, (int)c.AdvBase, (int)c.AdvSkew, c.DeadRatio));
        Assert.Equal(IPAddress.Parse("198.18.0.1"), c.SourceAddress);
        Assert.Equal(("/up.sh", "/down.sh", "extra1"), (c.UpScript, c.DownScript, c.ExtraParameter));
        Assert.True(c.Preempt && c.Neutral && c.NoMulticast && c.IgnoreInterfaceState);
        Assert.Equal(new CarpGlobalOptions { Shutdown = true, Daemonize = true, Debug = true, Facility = "local3" }, r.Global);
    }

    [Fact]
    public void TryParse_Defaults_AreUcarps()
    {
        var r = Parse(Required);
        var c = Assert.Single(r.Vhids);
        Assert.Equal((1, 0, 3u), (c.AdvBase, c.AdvSkew, c.DeadRatio));
        Assert.Equal(IPAddress.Parse("224.0.0.18"), c.MulticastGroup);
        Assert.Null(c.SourceAddress);
        Assert.False(c.Preempt || c.Neutral || c.NoMulticast || c.IgnoreInterfaceState || c.ManageVip);
        Assert.Equal(new CarpGlobalOptions(), r.Global);
        Assert.Equal("daemon", r.Global.Facility);
    }

    [Fact]
    public void TryParse_BundledFlags_AllApply()
    {
        var r = Parse([.. Required, "-Pz", "-nMS"]);
        var c = Assert.Single(r.Vhids);
        Assert.True(c.Preempt && c.Neutral && c.NoMulticast && c.IgnoreInterfaceState);
        Assert.True(r.Global.Shutdown);
    }

    [Fact]
    public void TryParse_AttachedShortValues_AreValues()
    {
        var c = One("-iveth0", "-v42", "-psecret", "-a198.18.0.100", "-k7", "-Pb2");
        Assert.Equal(("veth0", 42, "secret", 7, 2), (c.Interface, (int)c.Vhid, c.Password, (int)c.AdvSkew, (int)c.AdvBase));
        Assert.True(c.Preempt);
    }

    [Fact]
    public void TryParse_EqualsForm_IsValue()
    {
        var c = One("--interface=veth0", "--vhid=42", "--pass=se=cret", "--addr=198.18.0.100", "--advskew=9");
        Assert.Equal(("veth0", 42, "se=cret", 9), (c.Interface, (int)c.Vhid, c.Password, (int)c.AdvSkew));
    }

    [Theory]
    [InlineData("--vh=5", "vhid")]
    [InlineData("--vhi=5", "vhid")]
    [InlineData("--advs=5", "advskew")]
    [InlineData("--advb=5", "advbase")]
    [InlineData("--dead=5", "deadratio")]
    [InlineData("--x=5", "xparam")]
    public void TryParse_UnambiguousPrefix_Accepted(string arg, string field)
    {
        var c = One([.. Required, arg]);
        var value = field switch
        {
            "vhid" => (object)(int)c.Vhid,
            "advskew" => (int)c.AdvSkew,
            "advbase" => (int)c.AdvBase,
            "deadratio" => (int)c.DeadRatio,
            _ => c.ExtraParameter!,
        };
        Assert.Equal(field == "xparam" ? "5" : 5, value);
    }

    [Fact]
    public void TryParse_PassExact_IsPasswordNotPassfile()
    {
        Assert.Equal("pw", One("-i", "veth0", "-v", "1", "-a", "198.18.0.100", "--pass", "pw").Password);
    }

    [Fact]
    public void TryParse_PassfPrefix_IsPassfile()
    {
        var file = WriteFile("pw", "frompfile\n");
        Assert.Equal("frompfile", One("-i", "veth0", "-v", "1", "-a", "198.18.0.100", "--passf", file).Password);
    }

    [Theory]
    [InlineData("--pas=x", "--pass", "--passfile")]
    [InlineData("--d", "--downscript", "--deadratio")]
    [InlineData("--adv=1", "--advbase", "--advskew")]
    [InlineData("--i=x", "--interface", "--ignoreifstate")]
    public void TryParse_AmbiguousPrefix_ErrorListsCandidates(string arg, string a, string b)
    {
        var error = Error([.. Required, arg]);
        Assert.Contains("ambiguous", error);
        Assert.Contains(a, error);
        Assert.Contains(b, error);
    }

    [Theory]
    [InlineData("--mcast=239.0.0.1")]
    [InlineData("--mcastip=239.0.0.1")]
    [InlineData("--mc=239.0.0.1")]
    [InlineData("--mcasti=239.0.0.1")]
    public void TryParse_McastAndMcastip_BothSetTheGroup(string arg) =>
        Assert.Equal(IPAddress.Parse("239.0.0.1"), One([.. Required, arg]).MulticastGroup);

    [Fact]
    public void TryParse_DashM_IsRejectedAsInUcarp() =>
        Assert.Contains("'-m'", Error([.. Required, "-m", "239.0.0.1"]));

    [Fact]
    public void TryParse_ManageVipAndPrefixlen_Set()
    {
        var c = One([.. Required, "--manage-vip", "--prefixlen", "24"]);
        Assert.True(c.ManageVip);
        Assert.Equal(24, c.PrefixLength);
    }

    [Fact]
    public void TryParse_ReplayCheck_DefaultStrictRelaxedSetBadValueNamed()
    {
        Assert.Equal(ReplayCheck.Strict, One(Required).ReplayCheck);
        Assert.Equal(ReplayCheck.Relaxed, One([.. Required, "--replaycheck=relaxed"]).ReplayCheck);
        Assert.Equal(ReplayCheck.Strict, One([.. Required, "--replaycheck", "strict"]).ReplayCheck);
        Assert.Equal("--replaycheck must be strict or relaxed (got 'off')", Error([.. Required, "--replaycheck=off"]));
        Assert.Contains("--replaycheck=strict|relaxed", UcarpCommandLine.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_PeerRepeated_EveryPeerInOrderAndPrefixAccepted()
    {
        var c = One([.. Required, "--peer", "198.18.0.2", "--peer=198.18.0.3", "--pe", "198.18.0.4"]);

        Assert.Equal([IPAddress.Parse("198.18.0.2"), IPAddress.Parse("198.18.0.3"), IPAddress.Parse("198.18.0.4")], c.Peers);
        Assert.False(One(Required).Peers.IsUnicast);
        Assert.Contains("--peer=<ip>", UcarpCommandLine.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_PeersPerGroup_NotMixedAcrossNext()
    {
        var r = Parse([.. Required, "--peer", "198.18.0.2", "--next", "-i", "veth0", "-v", "43", "-p", "x", "-a", "198.18.0.101"]);

        Assert.Equal([IPAddress.Parse("198.18.0.2")], r.Vhids[0].Peers);
        Assert.False(r.Vhids[1].Peers.IsUnicast);
    }

    [Fact]
    public void TryParse_BadPeers_ErrorsNameTheFlag()
    {
        Assert.Equal("--peer must be IPv4 for now: IPv6 peers need an IPv6 VIP (not supported yet) (got 'fd00::2')", Error([.. Required, "--peer", "fd00::2"]));
        Assert.Equal("--peer must be a unicast IPv4 address (got '224.0.0.18')", Error([.. Required, "--peer", "224.0.0.18"]));
        Assert.Equal("--peer and --nomcast cannot be combined: unicast peers on a VHID that also names ucarp-only flags (ucarp has no unicast mode)",
            Error([.. Required, "--peer", "198.18.0.2", "-M"]));
        Assert.Equal("--peer and --mcast cannot be combined: unicast peers on a VHID that also names ucarp-only flags (ucarp has no unicast mode)",
            Error([.. Required, "--peer", "198.18.0.2", "--mcastip=239.1.1.1"]));
        // Long option only, as the other extensions.
        Assert.Equal("option '--peer' requires a value", Error([.. Required, "--peer"]));
    }

    [Fact]
    public void TryParse_FlapDamping_OnByDefault_OffAndValuesSet_BadValuesNamed()
    {
        Assert.Equal(FlapDampingConfig.Default, One(Required).FlapDamping);
        Assert.False(One([.. Required, "--flapdamping", "off"]).FlapDamping.Enabled);
        var c = One([.. Required, "--flapdamping=on", "--flap-penalty", "500", "--flap-suppress", "2000", "--flap-reuse", "400",
            "--flap-halflife", "2", "--flap-maxsuppress", "30"]).FlapDamping;
        Assert.Equal(new FlapDampingConfig
        {
            Enabled = true,
            Penalty = 500,
            SuppressThreshold = 2000,
            ReuseThreshold = 400,
            HalfLife = TimeSpan.FromSeconds(2),
            MaxSuppress = TimeSpan.FromSeconds(30),
        }, c);
        Assert.Equal("--flapdamping must be on or off (got 'maybe'); --flap-halflife must be between 1 and 3600 (got '0')",
            Error([.. Required, "--flapdamping", "maybe", "--flap-halflife", "0"]));
        Assert.Equal("--flap-reuse must be below the suppress threshold 3000 (got '3000')", Error([.. Required, "--flap-reuse", "3000"]));
        Assert.Contains("--flapdamping=on|off", UcarpCommandLine.Usage, StringComparison.Ordinal);
        Assert.Contains("--flap-halflife=<seconds>", UcarpCommandLine.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Help_ReturnsHelpWithoutGroups()
    {
        var r = Parse("-h");
        Assert.True(r.Global.Help);
        Assert.Empty(r.Vhids);
        Assert.True(Parse("--help").Global.Help);
    }

    [Fact]
    public void TryParse_NextGroups_OnePerGroupAndGlobalsShared()
    {
        var r = Parse("-i", "veth0", "-v", "1", "-p", "a", "-a", "198.18.0.1", "-P", "--next",
            "-z", "-i", "veth0", "-v", "2", "-p", "b", "-a", "198.18.0.2", "-k", "50", "--next", "--next",
            "-i", "veth1", "-v", "1", "-p", "c", "-a", "198.18.1.1");
        Assert.Equal(3, r.Vhids.Count);
        Assert.Equal(["veth0/1", "veth0/2", "veth1/1"], r.Vhids.Select(v => v.Key));
        Assert.True(r.Vhids[0].Preempt);
        Assert.False(r.Vhids[1].Preempt);
        Assert.Equal(50, r.Vhids[1].AdvSkew);
        Assert.Equal(0, r.Vhids[2].AdvSkew);
        Assert.Equal(["a", "b", "c"], r.Vhids.Select(v => v.Password));
        Assert.True(r.Global.Shutdown);
    }

    [Fact]
    public void TryParse_ConfigFile_QuotesAndCommentsOneGroupPerLine()
    {
        var file = WriteFile("groups.conf", """
            # two VIPs on veth0

            -i veth0 -v 1 -p "pass word" -a 198.18.0.1 -x 'two words'
              # indented comment
            --interface=veth0 --vhid=2 --pass='it"s' --addr=198.18.0.2 -P
            """);
        var r = Parse("-z", "--config", file);
        Assert.Equal(2, r.Vhids.Count);
        Assert.Equal("pass word", r.Vhids[0].Password);
        Assert.Equal("two words", r.Vhids[0].ExtraParameter);
        Assert.Equal("it\"s", r.Vhids[1].Password);
        Assert.True(r.Vhids[1].Preempt);
        Assert.False(r.Vhids[0].Preempt);
        Assert.True(r.Global.Shutdown);
    }

    [Fact]
    public void TryParse_ConfigFileAfterAGroup_FileStartsNewGroups()
    {
        var file = WriteFile("one.conf", "-i veth0 -v 2 -p b -a 198.18.0.2\n");
        var r = Parse([.. Required, "--config", file]);
        Assert.Equal(["veth0/42", "veth0/2"], r.Vhids.Select(v => v.Key));
    }

    // Options after "--config FILE" must not merge into the file's last line (its vhid 2 would
    // silently become 9 on veth1).
    [Fact]
    public void TryParse_GroupAfterConfigFile_IsItsOwnGroup()
    {
        var file = WriteFile("two.conf", "-i veth0 -v 1 -p a -a 198.18.0.1\n-i veth0 -v 2 -p b -a 198.18.0.2\n");
        var r = Parse("--config", file, "-i", "veth1", "-v", "9", "-p", "c", "-a", "198.18.1.9");
        Assert.Equal(["veth0/1", "veth0/2", "veth1/9"], r.Vhids.Select(v => v.Key));
    }

    [Fact]
    public void TryParse_ConfigUnterminatedQuote_ErrorNamesFileAndLine()
    {
        var file = WriteFile("bad.conf", "# c\n-i veth0 -v 1 -p \"oops -a 198.18.0.1\n");
        var error = Error("--config", file);
        Assert.Contains(file, error);
        Assert.Contains("line 2", error);
        Assert.Contains("quote", error);
    }

    [Fact]
    public void TryParse_ConfigBadValue_ErrorNamesLineAndField()
    {
        var file = WriteFile("bad2.conf", "-i veth0 -v 1 -p a -a 198.18.0.1\n-i veth0 -v 2 -p b -a 198.18.0.2 -k 300\n");
        var error = Error("--config", file);
        Assert.Contains("--advskew", error);
        Assert.Contains("group 2", error);
    }

    [Fact]
    public void TryParse_ConfigMissingFile_ErrorNamesConfig() =>
        Assert.StartsWith("--config", Error("--config", Path.Combine(_dir, "missing.conf")));

    [Fact]
    public void TryParse_NestedConfig_Rejected()
    {
        var inner = WriteFile("inner.conf", "-i veth0 -v 1 -p a -a 198.18.0.1\n");
        var outer = WriteFile("outer.conf", $"--config {inner}\n");
        Assert.Contains("nested", Error("--config", outer));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("256")]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("")]
    public void TryParse_BadVhid_ErrorNamesVhid(string value) =>
        Assert.StartsWith("--vhid", Error("-i", "veth0", "-p", "x", "-a", "198.18.0.1", "--vhid=" + value));

    [Theory]
    [InlineData("--advbase", "300")]
    [InlineData("--advbase", "x")]
    [InlineData("--advskew", "-1")]
    [InlineData("--advskew", "256")]
    public void TryParse_ByteOutOfRange_ErrorNamesField(string option, string value)
    {
        var error = Error([.. Required, option, value]);
        Assert.StartsWith(option, error);
        Assert.Contains($"'{value}'", error);
    }

    [Fact]
    public void TryParse_AdvbaseAndAdvskewBothZero_Error()
    {
        var error = Error([.. Required, "-b", "0", "-k", "0"]);
        Assert.Contains("--advbase", error);
        Assert.Contains("--advskew", error);
        // Either one alone at 0 is fine.
        Assert.Equal(0, One([.. Required, "-b", "0", "-k", "1"]).AdvBase);
        Assert.Equal(0, One([.. Required, "-b", "1", "-k", "0"]).AdvSkew);
    }

    [Theory]
    [InlineData("--addr", "198.18.0")]
    [InlineData("--addr", "198.18.0.256")]
    [InlineData("--addr", "10")]
    [InlineData("--addr", "::1")]
    [InlineData("--addr", "::ffff:198.18.0.1")]
    [InlineData("--addr", "host.example")]
    [InlineData("--srcip", "198.18.0.1.5")]
    [InlineData("--srcip", "fe80::1")]
    public void TryParse_BadIPv4_ErrorNamesField(string option, string value)
    {
        var error = Error("-i", "veth0", "-v", "1", "-p", "x", "-a", "198.18.0.100", option, value);
        Assert.StartsWith(option, error);
    }

    [Theory]
    [InlineData("198.18.0.1")]
    [InlineData("240.0.0.1")]
    [InlineData("x")]
    public void TryParse_NonMulticastGroup_ErrorNamesMcast(string value) =>
        Assert.StartsWith("--mcast", Error([.. Required, "--mcast", value]));

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("two")]
    public void TryParse_BadDeadratio_ErrorNamesDeadratio(string value) =>
        Assert.StartsWith("--deadratio", Error([.. Required, "-r", value]));

    [Theory]
    [InlineData("0")]
    [InlineData("33")]
    public void TryParse_BadPrefixlen_ErrorNamesPrefixlen(string value) =>
        Assert.StartsWith("--prefixlen", Error([.. Required, "--prefixlen", value]));

    [Fact]
    public void TryParse_Password19Bytes_Accepted20Rejected()
    {
        Assert.Equal(new string('a', 19), One("-i", "veth0", "-v", "1", "-a", "198.18.0.1", "-p", new string('a', 19)).Password);
        var error = Error("-i", "veth0", "-v", "1", "-a", "198.18.0.1", "-p", new string('a', 20));
        Assert.StartsWith("--pass", error);
        Assert.Contains("20 bytes", error);
        // Bytes, not characters: ten two-byte characters are 20 bytes.
        Assert.StartsWith("--pass", Error("-i", "veth0", "-v", "1", "-a", "198.18.0.1", "-p", new string('é', 10)));
    }

    [Theory]
    [InlineData("--interface", "-v", "1", "-p", "x", "-a", "198.18.0.1")]
    [InlineData("--vhid", "-i", "veth0", "-p", "x", "-a", "198.18.0.1")]
    [InlineData("--addr", "-i", "veth0", "-v", "1", "-p", "x")]
    [InlineData("--pass", "-i", "veth0", "-v", "1", "-a", "198.18.0.1")]
    public void TryParse_MissingRequired_ErrorNamesField(string field, params string[] args) =>
        Assert.StartsWith(field, Error(args));

    [Fact]
    public void TryParse_NothingGiven_ErrorListsRequired()
    {
        var error = Error();
        Assert.Contains("--vhid", error);
        Assert.Contains("--interface", error);
    }

    [Theory]
    [InlineData("--bogus", "'--bogus'")]
    [InlineData("-q", "'-q'")]
    [InlineData("stray", "'stray'")]
    public void TryParse_UnknownOption_ErrorNamesIt(string arg, string expected)
    {
        var error = Error([.. Required, arg]);
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("-v", "'-v'")]
    [InlineData("--vhid", "'--vhid'")]
    [InlineData("-Pk", "'-k'")]
    public void TryParse_MissingValue_ErrorNamesOption(string arg, string expected)
    {
        var error = Error([.. Required, arg]);
        Assert.Contains(expected, error);
        Assert.Contains("requires a value", error);
    }

    [Fact]
    public void TryParse_FlagWithValue_Error() =>
        Assert.Contains("--preempt", Error([.. Required, "--preempt=yes"]));

    [Fact]
    public void TryParse_UnknownFacility_ErrorNamesFacility()
    {
        Assert.StartsWith("--facility", Error([.. Required, "-f", "local9"]));
        Assert.Equal("none", Parse([.. Required, "--facility=none"]).Global.Facility);
    }

    [Fact]
    public void TryParse_SameVhidTwiceOnOneInterface_ErrorNamesVhid()
    {
        var error = Error([.. Required, "--next", "-i", "veth0", "-v", "42", "-p", "y", "-a", "198.18.0.101"]);
        Assert.Contains("--vhid 42", error);
        Assert.Contains("veth0", error);
        // The same vhid on another interface is fine.
        Assert.Equal(2, Parse([.. Required, "--next", "-i", "veth1", "-v", "42", "-p", "y", "-a", "198.18.0.101"]).Vhids.Count);
    }

    [Fact]
    public void TryParse_ErrorInSecondGroup_NamesGroup() =>
        Assert.StartsWith("group 2: --vhid", Error([.. Required, "--next", "-i", "veth0", "-v", "0", "-p", "y", "-a", "198.18.0.1"]));

    [Fact]
    public void TryParse_Passfile_FirstLineOnlyAndCarriageReturnKept()
    {
        var file = WriteFile("crlf", "secret\r\nsecond line\r\n");
        Assert.Equal("secret\r", One("-i", "veth0", "-v", "1", "-a", "198.18.0.1", "-o", file).Password);
        var noNewline = WriteFile("plain", "lonely");
        Assert.Equal("lonely", One("-i", "veth0", "-v", "1", "-a", "198.18.0.1", "--passfile", noNewline).Password);
    }

    [Fact]
    public void TryParse_PassfileMissing_ErrorNamesPassfile() =>
        Assert.StartsWith("--passfile", Error("-i", "veth0", "-v", "1", "-a", "198.18.0.1", "-o", Path.Combine(_dir, "nope")));

    [Fact]
    public void TryParse_PassfileTooLong_RejectedNamingPassfile()
    {
        var file = WriteFile("long", new string('b', 20) + "\n");
        Assert.Equal("--passfile is too long: at most 19 bytes (got 20 bytes)", Error("-i", "veth0", "-v", "1", "-a", "198.18.0.1", "-o", file));
    }

    [Fact]
    public void TryParse_SeveralBadFields_EveryOneOnOneLine() =>
        Assert.Equal("--vhid must be between 1 and 255 (got '300'); --advskew must be between 0 and 254 (got '255')",
            Error("-i", "veth0", "-v", "300", "-p", "x", "-a", "198.18.0.1", "-k", "255"));

    [Fact]
    public void TrySplitWords_Quotes_GroupAndStrip()
    {
        Assert.True(UcarpCommandLine.TrySplitWords("a 'b c' \"d 'e'\" f\"g h\"i ''", out var words, out _));
        Assert.Equal(["a", "b c", "d 'e'", "fg hi", ""], words);
        Assert.False(UcarpCommandLine.TrySplitWords("a 'b", out _, out var error));
        Assert.NotNull(error);
    }
}
