using System.Text;
using System.Text.RegularExpressions;
using Appliance.Engine.Cli;
using Appliance.Engine.StateMachine;

namespace Appliance.Engine.Import;

/// <summary>
/// <c>/etc/ucarp/ucarp.conf</c>: a shell fragment of <c>UCARP_*</c> assignments for one VHID. Only plain
/// assignments are read (<c>VAR=value</c>, <c>VAR="value"</c>, <c>VAR='value'</c>, <c>export VAR=...</c>,
/// <c>$VAR</c> and <c>${VAR}</c> of variables set earlier in the file); nothing is ever run.
/// </summary>
internal static partial class ShellVariablesImporter
{
    private enum Kind
    {
        Value,
        Flag,
        Netmask,
        Script,
        Options,
    }

    private sealed record Setting(string Option, Kind Kind);

    private static readonly Dictionary<string, Setting> Settings = new(StringComparer.Ordinal)
    {
        ["UCARP_INTERFACE"] = new("interface", Kind.Value),
        ["UCARP_SRCIP"] = new("srcip", Kind.Value),
        ["UCARP_VHID"] = new("vhid", Kind.Value),
        ["UCARP_VID"] = new("vhid", Kind.Value),
        ["UCARP_PASS"] = new("pass", Kind.Value),
        ["UCARP_PASSWORD"] = new("pass", Kind.Value),
        ["UCARP_PASSFILE"] = new("passfile", Kind.Value),
        ["UCARP_ADVBASE"] = new("advbase", Kind.Value),
        ["UCARP_ADVSKEW"] = new("advskew", Kind.Value),
        ["UCARP_PREEMPT"] = new("preempt", Kind.Flag),
        ["UCARP_ADDR"] = new("addr", Kind.Value),
        ["UCARP_VIP"] = new("addr", Kind.Value),
        ["UCARP_NETMASK"] = new("prefixlen", Kind.Netmask),
        ["UCARP_UPSCRIPT"] = new("upscript", Kind.Script),
        ["UCARP_DOWNSCRIPT"] = new("downscript", Kind.Script),
        ["UCARP_DEADRATIO"] = new("deadratio", Kind.Value),
        ["UCARP_XPARAM"] = new("xparam", Kind.Value),
        ["UCARP_NOMCAST"] = new("nomcast", Kind.Flag),
        ["UCARP_NEUTRAL"] = new("neutral", Kind.Flag),
        ["UCARP_IGNOREIFSTATE"] = new("ignoreifstate", Kind.Flag),
        ["UCARP_MCAST"] = new("mcast", Kind.Value),
        ["UCARP_OPTS"] = new("", Kind.Options),
        ["UCARP_OPTIONS"] = new("", Kind.Options),
        ["UCARP_EXTRA"] = new("", Kind.Options),
        ["UCARP_EXTRA_OPTS"] = new("", Kind.Options),
    };

    private static readonly Dictionary<string, string> MissingLabels = new(StringComparer.Ordinal)
    {
        ["interface"] = "UCARP_INTERFACE",
        ["vhid"] = "UCARP_VHID",
        ["pass"] = "UCARP_PASS",
        ["addr"] = "UCARP_ADDR",
    };

    private sealed record Assignment(string Name, string Value, int Line);

    public static List<VhidConfig> Import(string[] lines, List<ImportMessage> messages, PasswordFileReader passwordFile)
    {
        var values = new Dictionary<string, Assignment>(StringComparer.Ordinal);
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        for (var n = 1; n <= lines.Length; n++)
        {
            ReadLine(lines[n - 1], n, values, referenced, messages);
        }
        if (!values.Keys.Any(Settings.ContainsKey))
        {
            foreach (var other in values.Values.Where(a => !referenced.Contains(a.Name)))
            {
                messages.Add(Unknown(other));
            }
            return [];
        }

        var builder = new UcarpSettingsBuilder(MissingLabels, passwordFile);
        foreach (var a in values.Values.OrderBy(a => a.Line))
        {
            if (!Settings.TryGetValue(a.Name, out var setting))
            {
                if (!referenced.Contains(a.Name))
                {
                    messages.Add(Unknown(a));
                }
                continue;
            }
            Map(a, setting, builder, values, messages);
        }
        var config = builder.Build(messages, 0, "ucarp.conf");
        return config is null ? [] : [config];
    }

    private static ImportMessage Unknown(Assignment a) =>
        new(a.Line, $"{a.Name} is not a ucarp setting the appliance knows; not imported", ImportSeverity.Warning);

    private static void Map(Assignment a, Setting setting, UcarpSettingsBuilder builder, Dictionary<string, Assignment> values, List<ImportMessage> messages)
    {
        var value = a.Value;
        if (value.Length == 0 && setting.Kind != Kind.Flag)
        {
            messages.Add(new ImportMessage(a.Line, $"{a.Name} is empty; treated as not set", ImportSeverity.Info));
            return;
        }
        switch (setting.Kind)
        {
            case Kind.Value when setting.Option == "addr":
                var (address, prefix) = ImportValues.SplitCidr(value);
                builder.Add("addr", address, a.Line, a.Name);
                if (prefix is not null)
                {
                    if (values.ContainsKey("UCARP_NETMASK"))
                    {
                        messages.Add(new ImportMessage(a.Line, $"{a.Name}: the /{prefix} is ignored; UCARP_NETMASK gives the prefix length", ImportSeverity.Info));
                    }
                    else
                    {
                        AddPrefix(prefix, a, builder, messages);
                    }
                }
                break;
            case Kind.Value:
                builder.Add(setting.Option, value, a.Line, a.Name);
                break;
            case Kind.Flag:
                switch (ImportValues.ParseBool(value))
                {
                    case true:
                        builder.Add(setting.Option, null, a.Line, a.Name);
                        break;
                    case false:
                        break;
                    default:
                        messages.Add(new ImportMessage(a.Line, $"{a.Name}: '{value}' is not yes/no, true/false, on/off or 1/0", ImportSeverity.Error));
                        builder.Fail();
                        break;
                }
                break;
            case Kind.Netmask:
                AddPrefix(value, a, builder, messages);
                break;
            case Kind.Script:
                AddScript(setting.Option, value, a.Line, a.Name, builder, messages);
                break;
            case Kind.Options:
                if (UcarpCommandLine.TrySplitWords(value, out var words, out var error))
                {
                    builder.AddRaw(words, a.Line, a.Name);
                }
                else
                {
                    messages.Add(new ImportMessage(a.Line, $"{a.Name}: {error}; not imported", ImportSeverity.Warning));
                }
                break;
        }
    }

    private static void AddPrefix(string text, Assignment a, UcarpSettingsBuilder builder, List<ImportMessage> messages)
    {
        var prefix = ImportValues.ParsePrefix(text);
        if (prefix is null)
        {
            messages.Add(new ImportMessage(a.Line, $"{a.Name}: '{text}' is neither a netmask (255.255.255.0) nor a prefix length (/24)", ImportSeverity.Error));
            // Keeps the VHID out, like every other bad value: a wrong prefix would put the VIP on the wrong subnet.
            builder.Fail();
            return;
        }
        builder.Add("prefixlen", prefix, a.Line, a.Name);
    }

    internal static void AddScript(string option, string path, int line, string label, UcarpSettingsBuilder builder, List<ImportMessage> messages)
    {
        if (ImportValues.DebianDefaultScripts.Contains(path))
        {
            messages.Add(new ImportMessage(line,
                $"{label} {path} is Debian's default script (ifup/ifdown IF:ucarp); not imported: the appliance now adds and removes the VIP itself",
                ImportSeverity.Info));
            return;
        }
        messages.Add(new ImportMessage(line,
            $"{label} {path} kept; the appliance now adds and removes the VIP itself, so the script must not do that too",
            ImportSeverity.Info));
        builder.Add(option, path, line, label);
    }

    private static void ReadLine(string raw, int n, Dictionary<string, Assignment> values, HashSet<string> referenced, List<ImportMessage> messages)
    {
        var line = raw.Trim();
        if (line.Length == 0 || line.StartsWith('#'))
        {
            return;
        }
        if (line.StartsWith("export ", StringComparison.Ordinal))
        {
            line = line["export ".Length..].TrimStart();
            if (ExportOnly().IsMatch(line))
            {
                return;
            }
        }
        var match = AssignmentStart().Match(line);
        if (!match.Success)
        {
            messages.Add(new ImportMessage(n, $"'{Shorten(line)}' is not a VAR=value assignment; shell commands and constructs are not run on import", ImportSeverity.Warning));
            return;
        }
        var name = match.Groups[1].Value;
        if (!TryReadWord(line[match.Length..], values, referenced, out var value, out var problem))
        {
            messages.Add(new ImportMessage(n, $"{name}: {problem}; not imported", ImportSeverity.Warning));
            return;
        }
        if (values.TryGetValue(name, out var earlier))
        {
            messages.Add(new ImportMessage(n, $"{name} is set again (first on line {earlier.Line}); the last value is used, as in the shell", ImportSeverity.Warning));
        }
        values[name] = new Assignment(name, value, n);
    }

    /// <summary>One shell word: quotes, backslashes, $VAR and ${VAR}; anything that would run code is refused.</summary>
    private static bool TryReadWord(string s, Dictionary<string, Assignment> values, HashSet<string> referenced, out string value, out string? problem)
    {
        var sb = new StringBuilder();
        value = "";
        problem = null;
        var i = 0;
        while (i < s.Length && problem is null)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c))
            {
                break;
            }
            switch (c)
            {
                case '\'':
                    var close = s.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        problem = "unterminated quote";
                        break;
                    }
                    sb.Append(s, i + 1, close - i - 1);
                    i = close + 1;
                    break;
                case '"':
                    i++;
                    while (i < s.Length && s[i] != '"' && problem is null)
                    {
                        if (s[i] == '\\' && i + 1 < s.Length && s[i + 1] is '$' or '`' or '"' or '\\')
                        {
                            sb.Append(s[i + 1]);
                            i += 2;
                        }
                        else if (s[i] == '$')
                        {
                            i = Expand(s, i, sb, values, referenced, out problem);
                        }
                        else if (s[i] == '`')
                        {
                            problem = "command substitution is not run on import";
                        }
                        else
                        {
                            sb.Append(s[i++]);
                        }
                    }
                    if (problem is null && i >= s.Length)
                    {
                        problem = "unterminated quote";
                    }
                    i++;
                    break;
                case '\\':
                    if (i + 1 < s.Length)
                    {
                        sb.Append(s[i + 1]);
                    }
                    i += 2;
                    break;
                case '$':
                    i = Expand(s, i, sb, values, referenced, out problem);
                    break;
                case '`':
                    problem = "command substitution is not run on import";
                    break;
                case ';' or '|' or '&' or '<' or '>' or '(' or ')':
                    problem = $"shell operator '{c}' after the assignment is not run on import";
                    break;
                default:
                    sb.Append(c);
                    i++;
                    break;
            }
        }
        if (problem is not null)
        {
            return false;
        }
        var rest = i < s.Length ? s[i..].Trim() : "";
        if (rest.Length > 0 && !rest.StartsWith('#'))
        {
            problem = $"'{Shorten(rest)}' follows the value (a command or a second assignment) and is not run on import";
            return false;
        }
        value = sb.ToString();
        return true;
    }

    private static int Expand(string s, int i, StringBuilder sb, Dictionary<string, Assignment> values, HashSet<string> referenced, out string? problem)
    {
        problem = null;
        string name;
        int next;
        if (i + 1 < s.Length && s[i + 1] == '(')
        {
            problem = "command substitution is not run on import";
            return s.Length;
        }
        if (i + 1 < s.Length && s[i + 1] == '{')
        {
            var close = s.IndexOf('}', i + 2);
            name = close < 0 ? "" : s[(i + 2)..close];
            if (close < 0 || !NameOnly().IsMatch(name))
            {
                problem = "parameter expansion other than ${NAME} is not supported";
                return s.Length;
            }
            next = close + 1;
        }
        else
        {
            var m = NameAt().Match(s, i + 1);
            if (!m.Success || m.Index != i + 1)
            {
                sb.Append('$');
                return i + 1;
            }
            name = m.Value;
            next = i + 1 + name.Length;
        }
        if (!values.TryGetValue(name, out var a))
        {
            problem = $"refers to ${name}, which this file does not set";
            return s.Length;
        }
        referenced.Add(name);
        sb.Append(a.Value);
        return next;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)=")]
    private static partial Regex AssignmentStart();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\s+[A-Za-z_][A-Za-z0-9_]*)*$")]
    private static partial Regex ExportOnly();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex NameOnly();

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex NameAt();
}
