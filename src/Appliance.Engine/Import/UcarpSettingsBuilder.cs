using Appliance.Engine.Cli;
using Appliance.Engine.Configuration;
using Appliance.Engine.StateMachine;

namespace Appliance.Engine.Import;

/// <summary>
/// Collects ucarp options together with the line and name they came from, then checks them with
/// <see cref="VhidRules"/> through <c>appliance carp</c>'s own option handling, so an imported VHID is checked
/// exactly as the command line and the API check theirs. Every broken rule becomes an error on the line of the
/// setting it names, spelled as the file spells it (<c>UCARP_ADVSKEW must be between 0 and 254 (got '255')</c>).
/// </summary>
internal sealed class UcarpSettingsBuilder
{
    private sealed record Item(string? Option, string? Value, IReadOnlyList<string> Words, int Line, string Label);

    private readonly List<Item> _items = [];
    private readonly Dictionary<string, string> _missingLabels;
    private readonly PasswordFileReader _passwordFile;
    private bool _failed;

    /// <param name="missingLabels">How this format names a required option when it is absent, e.g. vhid to UCARP_VHID.</param>
    /// <param name="passwordFile">How a passfile setting is read (the web reads none).</param>
    public UcarpSettingsBuilder(Dictionary<string, string> missingLabels, PasswordFileReader passwordFile)
    {
        _missingLabels = missingLabels;
        _passwordFile = passwordFile;
    }

    /// <summary>One option (long name without dashes); a null value is a flag.</summary>
    public void Add(string option, string? value, int line, string label)
    {
        _items.RemoveAll(i => i.Option == option);
        _items.Add(new Item(option, value, [], line, label));
    }

    /// <summary>Free-form ucarp arguments (UCARP_OPTS); the named settings win over them.</summary>
    public void AddRaw(IReadOnlyList<string> words, int line, string label) =>
        _items.Insert(0, new Item(null, null, words, line, label));

    /// <summary>A value was already found bad before parsing (and reported): still check the rest, import nothing.</summary>
    public void Fail() => _failed = true;

    /// <summary>Builds the VHID, or returns null after adding an error for every bad setting found.</summary>
    public VhidConfig? Build(List<ImportMessage> messages, int anchorLine, string what)
    {
        var raw = _items.FirstOrDefault(i => i.Option is null);
        var group = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (raw is not null)
        {
            if (!UcarpCommandLine.TryCollectGroups(raw.Words, out var groups, out var global, out var error))
            {
                messages.Add(new ImportMessage(raw.Line, $"{raw.Label}: {error}", ImportSeverity.Error));
                return null;
            }
            if (groups.Count > 1)
            {
                messages.Add(new ImportMessage(raw.Line, $"{raw.Label}: more than one VHID group (--next or --config); a ucarp.conf is one VHID", ImportSeverity.Error));
                return null;
            }
            group = groups.SingleOrDefault() ?? group;
            ReportIgnoredGlobals(raw, global, messages);
        }
        foreach (var item in _items.Where(i => i.Option is not null))
        {
            group[item.Option!] = item.Value;
        }
        group["manage-vip"] = null;

        if (UcarpCommandLine.TryBuild(group, out var config, out var fileError, out var errors, _passwordFile))
        {
            return _failed ? null : config;
        }
        if (fileError is not null)
        {
            var source = Source("passfile", group, raw);
            messages.Add(new ImportMessage(source?.Line ?? anchorLine, $"{source?.Label ?? what}: {fileError}", ImportSeverity.Error));
        }
        foreach (var e in errors)
        {
            var source = Source(UcarpCommandLine.OptionOf(e.Field, group), group, raw);
            var text = e.Format(f => Name(f, group, raw));
            messages.Add(source is null
                ? new ImportMessage(anchorLine, $"{what}: {text}", ImportSeverity.Error)
                : new ImportMessage(source.Line, text, ImportSeverity.Error));
        }
        return null;
    }

    /// <summary>The item that set <paramref name="option"/>: its own named setting, else the free-form arguments.</summary>
    private Item? Source(string option, Dictionary<string, string?> group, Item? raw) =>
        _items.FirstOrDefault(i => i.Option == option) ?? (group.ContainsKey(option) ? raw : null);

    /// <summary>A field as this file spells it: the setting's own name, the flag inside UCARP_OPTS, or the name it would have.</summary>
    private string Name(VhidField field, Dictionary<string, string?> group, Item? raw)
    {
        var option = UcarpCommandLine.OptionOf(field, group);
        return Source(option, group, raw) switch
        {
            { Option: null } source => $"{source.Label}: --{option}",
            { } source => source.Label,
            null => _missingLabels.GetValueOrDefault(option, "--" + option),
        };
    }

    private static void ReportIgnoredGlobals(Item raw, CarpGlobalOptions global, List<ImportMessage> messages)
    {
        var ignored = new List<string>();
        if (global.Daemonize)
        {
            ignored.Add("--daemonize");
        }
        if (global.Shutdown)
        {
            ignored.Add("--shutdown");
        }
        if (global.Debug)
        {
            ignored.Add("--debug");
        }
        if (global.Facility != "daemon")
        {
            ignored.Add("--facility");
        }
        if (ignored.Count > 0)
        {
            messages.Add(new ImportMessage(raw.Line,
                $"{raw.Label}: {string.Join(", ", ignored)} not imported: they are process flags of the ucarp daemon; the appliance runs as a service and logs through its own log",
                ImportSeverity.Info));
        }
    }
}
