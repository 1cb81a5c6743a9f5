using Appliance.Engine.StateMachine;

namespace Appliance.Engine.Import;

/// <summary>
/// Debian's <c>/etc/network/interfaces</c> (docs/carp-protocol.md, 10.3): each <c>iface</c> stanza with
/// <c>ucarp-vid</c>, <c>ucarp-vip</c> and <c>ucarp-password</c> is one VHID, as the <c>if-up.d/ucarp</c> hook
/// would start it; the <c>IF:ucarp</c> alias stanza gives the VIP's netmask.
/// </summary>
internal static class DebianInterfacesImporter
{
    private sealed record Option(string Key, string Value, int Line);

    private sealed class Stanza(string keyword, string header, int line)
    {
        public string Keyword { get; } = keyword;
        public string Header { get; } = header;
        public int Line { get; } = line;
        public int LastLine { get; set; } = line;
        public string Name { get; init; } = "";
        public string Method { get; init; } = "";
        public List<Option> Options { get; } = [];
        public bool IsCarp => Options.Any(o => o.Key.StartsWith("ucarp-", StringComparison.Ordinal));
    }

    private static readonly Dictionary<string, string> MissingLabels = new(StringComparer.Ordinal)
    {
        ["vhid"] = "ucarp-vid",
        ["pass"] = "ucarp-password",
        ["addr"] = "ucarp-vip",
    };

    private static readonly Dictionary<string, string> ValueOptions = new(StringComparer.Ordinal)
    {
        ["ucarp-vid"] = "vhid",
        ["ucarp-password"] = "pass",
        ["ucarp-advskew"] = "advskew",
        ["ucarp-advbase"] = "advbase",
        ["ucarp-deadratio"] = "deadratio",
        ["ucarp-xparam"] = "xparam",
    };

    public static List<VhidConfig> Import(string[] lines, List<ImportMessage> messages, PasswordFileReader passwordFile)
    {
        var stanzas = ReadStanzas(lines, messages);
        var ifaces = stanzas.Where(s => s.Keyword == "iface").ToList();
        var aliases = ifaces.Where(s => s.Name.EndsWith(":ucarp", StringComparison.Ordinal)).ToList();
        var vhids = new List<VhidConfig>();
        foreach (var stanza in stanzas)
        {
            if (stanza.Keyword == "iface" && stanza.IsCarp)
            {
                var alias = aliases.FirstOrDefault(a => a.Name == stanza.Name + ":ucarp");
                var config = ImportStanza(stanza, alias, messages, passwordFile);
                if (config is not null)
                {
                    vhids.Add(config);
                }
            }
            else if (aliases.Contains(stanza))
            {
                var parent = stanza.Name[..^":ucarp".Length];
                if (!ifaces.Any(s => s.Name == parent && s.IsCarp))
                {
                    messages.Add(new ImportMessage(stanza.Line, $"'{stanza.Header}': no 'iface {parent}' stanza with ucarp options goes with it; left to ifupdown", ImportSeverity.Warning));
                }
            }
            else
            {
                messages.Add(new ImportMessage(stanza.Line, $"'{stanza.Header}'{Span(stanza)}: no ucarp options; left to ifupdown", ImportSeverity.Info));
            }
        }
        var duplicate = vhids.GroupBy(v => v.Key).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicate.Count > 0)
        {
            messages.Add(new ImportMessage(0, $"VHID {string.Join(", ", duplicate)} is configured by more than one stanza; none of them is imported", ImportSeverity.Error));
            vhids.RemoveAll(v => duplicate.Contains(v.Key));
        }
        return vhids;
    }

    private static string Span(Stanza s) => s.LastLine > s.Line ? $" (lines {s.Line}-{s.LastLine})" : "";

    private static VhidConfig? ImportStanza(Stanza stanza, Stanza? alias, List<ImportMessage> messages, PasswordFileReader passwordFile)
    {
        var what = $"iface {stanza.Name}";
        var builder = new UcarpSettingsBuilder(MissingLabels, passwordFile);
        builder.Add("interface", stanza.Name, stanza.Line, what);
        string? vipText = null;
        string? vipPrefix = null;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var o in stanza.Options)
        {
            if (seen.TryGetValue(o.Key, out var first))
            {
                messages.Add(new ImportMessage(o.Line, $"{o.Key} is given twice in '{stanza.Header}' (first on line {first}); the last value is used", ImportSeverity.Warning));
            }
            seen[o.Key] = o.Line;
            if (ValueOptions.TryGetValue(o.Key, out var option))
            {
                builder.Add(option, o.Value, o.Line, o.Key);
                continue;
            }
            switch (o.Key)
            {
                case "address":
                    // The hook passes -s $IF_ADDRESS; the real address's own prefix is not ours to keep.
                    var (src, srcPrefix) = ImportValues.SplitCidr(o.Value);
                    builder.Add("srcip", src, o.Line, "address");
                    if (srcPrefix is not null)
                    {
                        messages.Add(new ImportMessage(o.Line, $"address {o.Value}: only {src} is used, as the CARP source address", ImportSeverity.Info));
                    }
                    break;
                case "ucarp-vip":
                    (vipText, vipPrefix) = ImportValues.SplitCidr(o.Value);
                    builder.Add("addr", vipText, o.Line, o.Key);
                    break;
                case "ucarp-master":
                    if (ImportValues.DebianTruth(o.Value))
                    {
                        builder.Add("preempt", null, o.Line, o.Key);
                    }
                    break;
                case "ucarp-nomcast":
                    if (ImportValues.DebianTruth(o.Value))
                    {
                        builder.Add("nomcast", null, o.Line, o.Key);
                    }
                    break;
                case "ucarp-upscript":
                    ShellVariablesImporter.AddScript("upscript", o.Value, o.Line, o.Key, builder, messages);
                    break;
                case "ucarp-downscript":
                    ShellVariablesImporter.AddScript("downscript", o.Value, o.Line, o.Key, builder, messages);
                    break;
                default:
                    messages.Add(o.Key.StartsWith("ucarp-", StringComparison.Ordinal)
                        ? new ImportMessage(o.Line, $"{o.Key} is not an option of Debian's ucarp hook; not imported", ImportSeverity.Warning)
                        : new ImportMessage(o.Line, $"'{o.Key}' is network configuration of {stanza.Name}, not CARP; left to ifupdown", ImportSeverity.Info));
                    break;
            }
        }
        var missing = new[] { "ucarp-vid", "ucarp-vip", "ucarp-password" }.Where(k => !seen.ContainsKey(k)).ToList();
        if (missing.Count > 0)
        {
            messages.Add(new ImportMessage(stanza.Line,
                $"'{stanza.Header}': Debian's hook starts ucarp only when ucarp-vid, ucarp-vip and ucarp-password are all set (missing {string.Join(", ", missing)}); not imported",
                ImportSeverity.Warning));
            return null;
        }
        if (!seen.ContainsKey("address"))
        {
            messages.Add(new ImportMessage(stanza.Line, $"'{stanza.Header}' has no address: the interface's first IPv4 address will be the CARP source address", ImportSeverity.Info));
        }
        var prefixFromAlias = alias is null ? null : ReadAlias(alias, vipText, messages);
        var prefix = prefixFromAlias ?? vipPrefix;
        if (prefix is null)
        {
            messages.Add(new ImportMessage(alias?.Line ?? stanza.Line,
                alias is null ? $"no 'iface {stanza.Name}:ucarp' stanza gives the VIP's netmask; the VIP is added as /32" : $"'{alias.Header}' has no netmask; the VIP is added as /32",
                ImportSeverity.Info));
        }
        else
        {
            var length = ImportValues.ParsePrefix(prefix);
            if (length is null)
            {
                messages.Add(new ImportMessage(alias?.Line ?? stanza.Line, $"netmask '{prefix}' of the VIP is neither a netmask nor a prefix length", ImportSeverity.Error));
                builder.Fail();
            }
            else
            {
                builder.Add("prefixlen", length, alias?.Line ?? stanza.Line, alias is null ? "ucarp-vip" : $"netmask of {alias.Name}");
            }
        }
        return builder.Build(messages, stanza.Line, what);
    }

    /// <summary>The alias stanza only says which prefix the VIP gets; its other lines are ifupdown's business.</summary>
    private static string? ReadAlias(Stanza alias, string? vipText, List<ImportMessage> messages)
    {
        messages.Add(new ImportMessage(alias.Line,
            $"'{alias.Header}' read for the VIP's netmask; the appliance adds the VIP itself, so this stanza is no longer needed once the import is applied",
            ImportSeverity.Info));
        string? prefix = null;
        foreach (var o in alias.Options)
        {
            switch (o.Key)
            {
                case "address":
                    var (address, cidr) = ImportValues.SplitCidr(o.Value);
                    if (vipText is not null && address != vipText)
                    {
                        messages.Add(new ImportMessage(o.Line, $"address {address} of {alias.Name} differs from ucarp-vip {vipText}; ucarp-vip is used", ImportSeverity.Warning));
                    }
                    prefix ??= cidr;
                    break;
                case "netmask":
                    prefix = o.Value;
                    break;
                default:
                    messages.Add(new ImportMessage(o.Line, $"'{o.Key}' of {alias.Name} is not needed by the appliance; not imported", ImportSeverity.Info));
                    break;
            }
        }
        return prefix;
    }

    private static List<Stanza> ReadStanzas(string[] lines, List<ImportMessage> messages)
    {
        var stanzas = new List<Stanza>();
        Stanza? current = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var n = i + 1;
            var line = lines[i].Trim();
            // ifupdown joins a line ending in a backslash with the next one.
            while (line.EndsWith('\\') && i + 1 < lines.Length)
            {
                // Trimmed again: a lone backslash followed by an empty line leaves only the joining space (found by fuzzing).
                line = (line[..^1] + " " + lines[++i].Trim()).Trim();
            }
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var keyword = words[0];
            if (keyword == "iface")
            {
                current = new Stanza(keyword, line, n)
                {
                    Name = words.Length > 1 ? words[1] : "",
                    Method = words.Length > 3 ? words[3] : "",
                };
                stanzas.Add(current);
            }
            else if (keyword == "mapping")
            {
                current = new Stanza(keyword, line, n);
                stanzas.Add(current);
            }
            else if (keyword is "source" or "source-directory")
            {
                current = null;
                messages.Add(new ImportMessage(n, $"'{line}': included files are not read; import each of them on its own", ImportSeverity.Warning));
            }
            else if (keyword is "auto" or "rename" or "no-auto-down" or "no-scripts" || keyword.StartsWith("allow-", StringComparison.Ordinal))
            {
                current = null;
                stanzas.Add(new Stanza(keyword, line, n));
            }
            else if (current is null)
            {
                messages.Add(new ImportMessage(n, $"'{keyword}' is outside any iface stanza; ignored", ImportSeverity.Warning));
            }
            else
            {
                current.Options.Add(new Option(keyword, line[keyword.Length..].Trim(), n));
                current.LastLine = n;
            }
        }
        return stanzas;
    }
}
