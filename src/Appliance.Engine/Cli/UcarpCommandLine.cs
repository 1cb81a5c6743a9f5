using System.Diagnostics.CodeAnalysis;
using System.Text;
using Appliance.Engine.Configuration;
using Appliance.Engine.StateMachine;

namespace Appliance.Engine.Cli;

/// <summary>Process-wide flags of <c>appliance carp</c>.</summary>
public sealed record CarpGlobalOptions
{
    public bool Shutdown { get; init; }
    public bool Daemonize { get; init; }
    public bool Debug { get; init; }
    public string Facility { get; init; } = "daemon";
    public bool Help { get; init; }
}

/// <summary>A parsed <c>appliance carp</c> command line: global flags and one VHID per group.</summary>
public sealed record CarpCommandLine(CarpGlobalOptions Global, IReadOnlyList<VhidConfig> Vhids);

/// <summary>
/// ucarp 1.5.2's command line (docs/carp-protocol.md, 10.1), parsed the way GNU getopt_long does: long options
/// by unambiguous prefix, <c>--opt=value</c> or <c>--opt value</c>, bundled short flags (<c>-Pz</c>) and
/// attached values (<c>-v42</c>). Extensions: <c>--next</c> starts another VHID group in the same process,
/// <c>--config FILE</c> reads one group per line, <c>--manage-vip</c> makes the engine add and remove the
/// VIP itself, <c>--prefixlen N</c> is the VIP's prefix length for that, <c>--replaycheck strict|relaxed</c> sets the
/// replay check (docs/replay.md), <c>--peer ADDR</c> (repeatable) sends to unicast peers instead of the group
/// (docs/carp-protocol.md, 5.4 Unicast peers), <c>--flapdamping on|off</c> and the <c>--flap-*</c> values set flap
/// damping (docs/carp-protocol.md, 6.13). Unlike ucarp, values out of range
/// are errors rather than taken modulo 256, and every error names its field.
/// </summary>
public static class UcarpCommandLine
{
    private sealed record Option(string Long, char? Short, bool HasValue);

    private static readonly Option[] Options =
    [
        new("interface", 'i', true),
        new("srcip", 's', true),
        new("vhid", 'v', true),
        new("pass", 'p', true),
        new("passfile", 'o', true),
        new("preempt", 'P', false),
        new("neutral", 'n', false),
        new("addr", 'a', true),
        new("help", 'h', false),
        new("advbase", 'b', true),
        new("advskew", 'k', true),
        new("upscript", 'u', true),
        new("downscript", 'd', true),
        new("deadratio", 'r', true),
        new("debug", 'D', false),
        new("shutdown", 'z', false),
        new("facility", 'f', true),
        new("daemonize", 'B', false),
        new("ignoreifstate", 'S', false),
        new("nomcast", 'M', false),
        new("xparam", 'x', true),
        new("mcast", null, true),
        new("mcastip", null, true),
        // Extensions (not in ucarp).
        new("manage-vip", null, false),
        new("prefixlen", null, true),
        new("replaycheck", null, true),
        new("peer", null, true),
        new("flapdamping", null, true),
        new("flap-penalty", null, true),
        new("flap-suppress", null, true),
        new("flap-reuse", null, true),
        new("flap-halflife", null, true),
        new("flap-maxsuppress", null, true),
        new("next", null, false),
        new("config", null, true),
    ];

    public static readonly IReadOnlySet<string> Facilities = new HashSet<string>(StringComparer.Ordinal)
    {
        "none", "auth", "authpriv", "cron", "daemon", "ftp", "kern", "lpr", "mail", "news", "syslog", "user", "uucp",
        "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    };

    /// <summary>The ranges come from <see cref="VhidRules"/>, so the help cannot disagree with the checks.</summary>
    public static readonly string Usage = $"""
        Usage: appliance carp [options] (ucarp 1.5.2 compatible)
          --interface=<if> (-i <if>): bind interface <if>
          --srcip=<ip> (-s <ip>): source (real) IP address of that host
          --mcast=<ip>: multicast group IP address (default 224.0.0.18)
          --vhid=<id> (-v <id>): virtual IP identifier ({VhidRules.Vhid})
          --pass=<pass> (-p <pass>): password
          --passfile=<file> (-o <file>): read password from file
          --preempt (-P): becomes a master as soon as possible
          --neutral (-n): don't run downscript at start if backup
          --addr=<ip> (-a <ip>): virtual shared IP address
          --help (-h): summary of command-line options
          --advbase=<seconds> (-b <seconds>): advertisement frequency ({VhidRules.AdvBase})
          --advskew=<skew> (-k <skew>): advertisement skew ({VhidRules.AdvSkew}; 255 is the bow-out value)
          --upscript=<file> (-u <file>): run <file> to become a master
          --downscript=<file> (-d <file>): run <file> to become a backup
          --deadratio=<ratio> (-r <ratio>): ratio to consider a host as dead ({VhidRules.DeadRatio})
          --debug (-D): enable debug output
          --shutdown (-z): call shutdown script at exit (and bow out so a backup takes over at once)
          --daemonize (-B): run in background
          --ignoreifstate (-S): ignore interface state (down, no carrier)
          --nomcast (-M): use broadcast (instead of multicast) advertisements
          --facility=<facility> (-f): set syslog facility (default=daemon, none=off)
          --xparam=<value> (-x): extra parameter to send to up/down scripts
        Extensions:
          --manage-vip: the engine adds/removes the VIP itself (netlink) and sends gratuitous ARP
          --prefixlen=<n>: prefix length of the VIP with --manage-vip ({VhidRules.PrefixLength}, default 32)
          --replaycheck=strict|relaxed: drop replayed adverts (default strict); relaxed also accepts a peer's constant counter (OpenBSD)
          --peer=<ip>: send adverts to this unicast peer instead of the group, accept only the peers' (repeatable, at most {VhidRules.MaxPeers}; no ucarp peer can take part)
          --flapdamping=on|off: flap damping (default on): past the suppress threshold stop preempting until the penalty decays
          --flap-penalty=<n>: penalty per transition ({VhidRules.FlapPenalty}, default {FlapDampingConfig.DefaultPenalty})
          --flap-suppress=<n>: suppress above this penalty ({VhidRules.FlapSuppressThreshold}, default {FlapDampingConfig.DefaultSuppressThreshold})
          --flap-reuse=<n>: release at this penalty ({VhidRules.FlapReuseThreshold}, below the suppress threshold, default {FlapDampingConfig.DefaultReuseThreshold})
          --flap-halflife=<seconds>: the penalty halves every <seconds> ({VhidRules.FlapHalfLife}, default {FlapDampingConfig.DefaultHalfLifeSeconds})
          --flap-maxsuppress=<seconds>: never suppressed longer than <seconds> ({VhidRules.FlapMaxSuppress}, default {FlapDampingConfig.DefaultMaxSuppressSeconds})
          --next: start another VHID group (several VIPs in one process)
          --config=<file>: read groups from <file>, one ucarp command line per line (# comments)
        """;

    public static bool TryParse(IReadOnlyList<string> args, [NotNullWhen(true)] out CarpCommandLine? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        if (!TryCollectGroups(args, out var groups, out var global, out error))
        {
            return false;
        }
        if (global.Help)
        {
            result = new CarpCommandLine(global, []);
            return true;
        }
        if (groups.Count == 0)
        {
            error = "--vhid, --pass, --addr and --interface are required (see --help)";
            return false;
        }
        var vhids = new List<VhidConfig>();
        var problems = new List<string>();
        for (var n = 0; n < groups.Count; n++)
        {
            var g = groups[n];
            if (TryBuild(g, out var config, out var fileError, out var errors))
            {
                vhids.Add(config);
                continue;
            }
            var prefix = groups.Count > 1 ? $"group {n + 1}: " : "";
            if (fileError is not null)
            {
                problems.Add(prefix + fileError);
            }
            problems.AddRange(errors.Select(e => prefix + e.Format(f => Flag(f, g))));
        }
        if (problems.Count > 0)
        {
            // Every error at once, on one line as ucarp reports a bad command line.
            error = string.Join("; ", problems);
            return false;
        }
        var dup = vhids.GroupBy(v => v.Key).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
        {
            error = $"--vhid {dup.First().Vhid} is given twice for interface {dup.First().Interface}";
            return false;
        }
        result = new CarpCommandLine(global, vhids);
        return true;
    }

    private static bool TryCollect(IReadOnlyList<string> args, List<Dictionary<string, string?>> groups, ref CarpGlobalOptions global, [NotNullWhen(false)] out string? error, int depth)
    {
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
            {
                var body = arg[2..];
                string? inline = null;
                var eq = body.IndexOf('=', StringComparison.Ordinal);
                if (eq >= 0)
                {
                    inline = body[(eq + 1)..];
                    body = body[..eq];
                }
                var option = Options.FirstOrDefault(o => o.Long == body);
                if (option is null)
                {
                    var matches = Options.Where(o => o.Long.StartsWith(body, StringComparison.Ordinal)).ToList();
                    if (matches.Count > 1 && matches.All(m => m.Long.StartsWith("mcast", StringComparison.Ordinal)))
                    {
                        matches = [matches[0]];
                    }
                    if (matches.Count == 0)
                    {
                        error = $"unknown option '--{body}' (see --help)";
                        return false;
                    }
                    if (matches.Count > 1)
                    {
                        error = $"option '--{body}' is ambiguous ({string.Join(", ", matches.Select(m => "--" + m.Long))})";
                        return false;
                    }
                    option = matches[0];
                }
                string? value = null;
                if (option.HasValue)
                {
                    if (inline is not null)
                    {
                        value = inline;
                    }
                    else if (i + 1 < args.Count)
                    {
                        value = args[++i];
                    }
                    else
                    {
                        error = $"option '--{option.Long}' requires a value";
                        return false;
                    }
                }
                else if (inline is not null)
                {
                    error = $"option '--{option.Long}' takes no value";
                    return false;
                }
                if (!Apply(option, value, groups, ref global, out error, depth))
                {
                    return false;
                }
            }
            else if (arg.StartsWith('-') && arg.Length > 1 && arg != "--")
            {
                for (var j = 1; j < arg.Length; j++)
                {
                    var c = arg[j];
                    var option = Options.FirstOrDefault(o => o.Short == c);
                    if (option is null)
                    {
                        error = $"unknown option '-{c}' (see --help)";
                        return false;
                    }
                    string? value = null;
                    if (option.HasValue)
                    {
                        if (j + 1 < arg.Length)
                        {
                            value = arg[(j + 1)..];
                        }
                        else if (i + 1 < args.Count)
                        {
                            value = args[++i];
                        }
                        else
                        {
                            error = $"option '-{c}' (--{option.Long}) requires a value";
                            return false;
                        }
                        if (!Apply(option, value, groups, ref global, out error, depth))
                        {
                            return false;
                        }
                        break;
                    }
                    if (!Apply(option, null, groups, ref global, out error, depth))
                    {
                        return false;
                    }
                }
            }
            else
            {
                error = $"unexpected argument '{arg}' (see --help)";
                return false;
            }
        }
        return true;
    }

    private static bool Apply(Option option, string? value, List<Dictionary<string, string?>> groups, ref CarpGlobalOptions global, [NotNullWhen(false)] out string? error, int depth)
    {
        error = null;
        switch (option.Long)
        {
            case "help":
                global = global with { Help = true };
                return true;
            case "shutdown":
                global = global with { Shutdown = true };
                return true;
            case "daemonize":
                global = global with { Daemonize = true };
                return true;
            case "debug":
                global = global with { Debug = true };
                return true;
            case "facility":
                if (!Facilities.Contains(value!))
                {
                    error = $"--facility: unknown syslog facility '{value}' (one of {string.Join(", ", Facilities.Order(StringComparer.Ordinal))})";
                    return false;
                }
                global = global with { Facility = value! };
                return true;
            case "next":
                if (groups[^1].Count > 0)
                {
                    groups.Add(new Dictionary<string, string?>(StringComparer.Ordinal));
                }
                return true;
            case "config":
                return TryReadConfig(value!, groups, ref global, out error, depth);
            case "mcastip":
                groups[^1]["mcast"] = value;
                return true;
            case "peer":
                // Repeatable: every --peer of the group is kept, in order.
                groups[^1]["peer"] = groups[^1].TryGetValue("peer", out var earlier) ? earlier + PeerSeparator + value : value;
                return true;
            default:
                groups[^1][option.Long] = value;
                return true;
        }
    }

    private static bool TryReadConfig(string path, List<Dictionary<string, string?>> groups, ref CarpGlobalOptions global, [NotNullWhen(false)] out string? error, int depth)
    {
        error = null;
        if (depth > 0)
        {
            error = "--config cannot be nested";
            return false;
        }
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"--config: cannot read {path}: {ex.Message}";
            return false;
        }
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            if (!TrySplitWords(line, out var words, out error))
            {
                error = $"--config {path} line {n + 1}: {error}";
                return false;
            }
            if (groups[^1].Count > 0)
            {
                groups.Add(new Dictionary<string, string?>(StringComparer.Ordinal));
            }
            if (!TryCollect(words, groups, ref global, out error, depth + 1))
            {
                error = $"--config {path} line {n + 1}: {error}";
                return false;
            }
        }
        // Options after --config FILE form a group of their own, never part of the file's last line.
        if (groups[^1].Count > 0)
        {
            groups.Add(new Dictionary<string, string?>(StringComparer.Ordinal));
        }
        return true;
    }

    /// <summary>Splits a line into words with shell-like single and double quotes.</summary>
    internal static bool TrySplitWords(string line, out List<string> words, [NotNullWhen(false)] out string? error)
    {
        words = [];
        error = null;
        var current = new StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var c in line)
        {
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }
        if (quote is not null)
        {
            error = "unterminated quote";
            return false;
        }
        if (inWord)
        {
            words.Add(current.ToString());
        }
        return true;
    }

    /// <summary>
    /// One group of options (long names without dashes) through <see cref="VhidRules"/>, after reading
    /// <c>--passfile</c>; <paramref name="fileError"/> is set when that file cannot be read.
    /// </summary>
    internal static bool TryBuild(
        Dictionary<string, string?> g, [NotNullWhen(true)] out VhidConfig? config, out string? fileError, out IReadOnlyList<VhidRuleError> errors,
        Import.PasswordFileReader? passwordFile = null)
    {
        var passwordRead = TryReadPassword(g, passwordFile ?? Import.PasswordFiles.Unlimited, out var password, out fileError);
        var valid = VhidRules.TryBuild(ToSettings(g, password), out config, out errors);
        if (passwordRead)
        {
            return valid;
        }
        // The unreadable file is the password's only error.
        errors = errors.Where(e => e.Field != VhidField.Password).ToList();
        config = null;
        return false;
    }

    /// <summary>The command line collected into its non-empty groups of options (long names without dashes), nothing built yet.</summary>
    internal static bool TryCollectGroups(IReadOnlyList<string> args, out List<Dictionary<string, string?>> groups, out CarpGlobalOptions global, [NotNullWhen(false)] out string? error)
    {
        global = new CarpGlobalOptions();
        groups = [new(StringComparer.Ordinal)];
        var ok = TryCollect(args, groups, ref global, out error, depth: 0);
        groups.RemoveAll(g => g.Count == 0);
        return ok;
    }

    /// <summary>The carp flag of a field: <c>--advskew</c>; the password is <c>--passfile</c> when it came from a file.</summary>
    internal static string Flag(VhidField field, IReadOnlyDictionary<string, string?> g) => "--" + OptionOf(field, g);

    /// <summary>The long option (without dashes) that sets <paramref name="field"/>.</summary>
    internal static string OptionOf(VhidField field, IReadOnlyDictionary<string, string?> g) => field switch
    {
        VhidField.Interface => "interface",
        VhidField.Vhid => "vhid",
        VhidField.Password => g.ContainsKey("passfile") ? "passfile" : "pass",
        VhidField.VirtualAddress => "addr",
        VhidField.PrefixLength => "prefixlen",
        VhidField.SourceAddress => "srcip",
        VhidField.MulticastGroup => "mcast",
        VhidField.NoMulticast => "nomcast",
        VhidField.Peers => "peer",
        VhidField.AdvBase => "advbase",
        VhidField.AdvSkew => "advskew",
        VhidField.DeadRatio => "deadratio",
        VhidField.UpScript => "upscript",
        VhidField.DownScript => "downscript",
        VhidField.ExtraParameter => "xparam",
        VhidField.ReplayCheck => "replaycheck",
        VhidField.FlapDamping => "flapdamping",
        VhidField.FlapPenalty => "flap-penalty",
        VhidField.FlapSuppressThreshold => "flap-suppress",
        VhidField.FlapReuseThreshold => "flap-reuse",
        VhidField.FlapHalfLife => "flap-halflife",
        VhidField.FlapMaxSuppress => "flap-maxsuppress",
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };

    /// <summary>Joins the values of repeated <c>--peer</c> options in a group; no argument or line can hold a NUL.</summary>
    private const char PeerSeparator = '\0';

    private static VhidSettings ToSettings(Dictionary<string, string?> g, string? password) => new()
    {
        Interface = g.GetValueOrDefault("interface"),
        Vhid = g.GetValueOrDefault("vhid"),
        Password = password,
        VirtualAddress = g.GetValueOrDefault("addr"),
        PrefixLength = g.GetValueOrDefault("prefixlen"),
        SourceAddress = g.GetValueOrDefault("srcip"),
        MulticastGroup = g.GetValueOrDefault("mcast"),
        Peers = g.GetValueOrDefault("peer")?.Split(PeerSeparator),
        AdvBase = g.GetValueOrDefault("advbase"),
        AdvSkew = g.GetValueOrDefault("advskew"),
        DeadRatio = g.GetValueOrDefault("deadratio"),
        UpScript = g.GetValueOrDefault("upscript"),
        DownScript = g.GetValueOrDefault("downscript"),
        ExtraParameter = g.GetValueOrDefault("xparam"),
        ReplayCheck = g.GetValueOrDefault("replaycheck"),
        FlapDamping = g.GetValueOrDefault("flapdamping"),
        FlapPenalty = g.GetValueOrDefault("flap-penalty"),
        FlapSuppressThreshold = g.GetValueOrDefault("flap-suppress"),
        FlapReuseThreshold = g.GetValueOrDefault("flap-reuse"),
        FlapHalfLife = g.GetValueOrDefault("flap-halflife"),
        FlapMaxSuppress = g.GetValueOrDefault("flap-maxsuppress"),
        Preempt = g.ContainsKey("preempt"),
        Neutral = g.ContainsKey("neutral"),
        NoMulticast = g.ContainsKey("nomcast"),
        IgnoreInterfaceState = g.ContainsKey("ignoreifstate"),
        ManageVip = g.ContainsKey("manage-vip"),
    };

    private static bool TryReadPassword(Dictionary<string, string?> g, Import.PasswordFileReader read, out string? password, out string? error)
    {
        error = null;
        password = g.GetValueOrDefault("pass");
        return !g.TryGetValue("passfile", out var file) || read(file!, out password, out error);
    }
}
