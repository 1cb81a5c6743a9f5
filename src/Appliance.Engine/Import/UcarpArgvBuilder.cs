using Appliance.Engine.Cli;
using Appliance.Engine.StateMachine;

namespace Appliance.Engine.Import;

/// <summary>
/// Collects ucarp options together with the line and name they came from, then lets
/// <see cref="UcarpCommandLine.TryParse"/> do all the validation, so an imported VHID is checked exactly as
/// <c>appliance carp</c> checks its command line. Each parse error is turned into a message on the line of
/// the setting it names; the bad setting is dropped and the parse retried, so one import reports every bad
/// value rather than only the first.
/// </summary>
internal sealed class UcarpArgvBuilder
{
    private sealed record Item(string? Option, IReadOnlyList<string> Words, int Line, string Label);

    // Without these the VHID cannot exist: after an error on one of them there is nothing left to check.
    private static readonly HashSet<string> Required = new(StringComparer.Ordinal) { "interface", "vhid", "pass", "addr" };

    private readonly List<Item> _items = [];
    private readonly Dictionary<string, string> _missingLabels;
    private bool _failed;

    /// <param name="missingLabels">How this format names a required option when it is absent, e.g. vhid to UCARP_VHID.</param>
    public UcarpArgvBuilder(Dictionary<string, string> missingLabels)
    {
        _missingLabels = missingLabels;
    }

    /// <summary>One option (long name without dashes); a null value is a flag.</summary>
    public void Add(string option, string? value, int line, string label)
    {
        _items.RemoveAll(i => i.Option == option);
        _items.Add(new Item(option, value is null ? [$"--{option}"] : [$"--{option}={value}"], line, label));
    }

    /// <summary>Free-form ucarp arguments (UCARP_OPTS); they come first so the named settings win.</summary>
    public void AddRaw(IReadOnlyList<string> words, int line, string label) =>
        _items.Insert(0, new Item(null, words, line, label));

    /// <summary>A value was already found bad before parsing (and reported): still check the rest, import nothing.</summary>
    public void Fail() => _failed = true;

    public bool Has(string option) => _items.Any(i => i.Option == option);

    /// <summary>Builds the VHID, or returns null after adding an error for every bad setting found.</summary>
    public VhidConfig? Build(List<ImportMessage> messages, int anchorLine, string what)
    {
        var failed = _failed;
        // Each round drops at least one item, so this ends.
        for (var round = 0; round <= _items.Count + 1; round++)
        {
            var argv = _items.SelectMany(i => i.Words).Append("--manage-vip").ToList();
            if (UcarpCommandLine.TryParse(argv, out var parsed, out var error))
            {
                if (failed)
                {
                    return null;
                }
                ReportIgnoredGlobals(parsed.Global, messages);
                return parsed.Vhids.Count == 1 ? parsed.Vhids[0] : null;
            }
            failed = true;
            var culprit = FindCulprit(error);
            if (culprit is null)
            {
                messages.Add(new ImportMessage(anchorLine, $"{what}: {Explain(error)}", ImportSeverity.Error));
                return null;
            }
            messages.Add(new ImportMessage(culprit.Line, $"{culprit.Label}: {error}", ImportSeverity.Error));
            _items.Remove(culprit);
            if (culprit.Option is not null && Required.Contains(culprit.Option))
            {
                return null;
            }
        }
        return null;
    }

    private Item? FindCulprit(string error)
    {
        // The option named first in the message; the longest name wins (--pass must not match --passfile).
        Item? best = null;
        var bestAt = int.MaxValue;
        foreach (var item in _items.Where(i => i.Option is not null))
        {
            var at = IndexOfOption(error, item.Option!);
            if (at >= 0 && at < bestAt)
            {
                best = item;
                bestAt = at;
            }
        }
        return best ?? _items.FirstOrDefault(i => i.Option is null);
    }

    private static int IndexOfOption(string error, string option)
    {
        var needle = "--" + option;
        for (var at = error.IndexOf(needle, StringComparison.Ordinal); at >= 0; at = error.IndexOf(needle, at + 1, StringComparison.Ordinal))
        {
            var end = at + needle.Length;
            if (end == error.Length || !(char.IsAsciiLetterOrDigit(error[end]) || error[end] == '-'))
            {
                return at;
            }
        }
        return -1;
    }

    private string Explain(string error)
    {
        foreach (var (option, label) in _missingLabels)
        {
            if (IndexOfOption(error, option) >= 0 && !Has(option))
            {
                return $"{label} is not set ({error})";
            }
        }
        return error;
    }

    private void ReportIgnoredGlobals(CarpGlobalOptions global, List<ImportMessage> messages)
    {
        var raw = _items.FirstOrDefault(i => i.Option is null);
        if (raw is null)
        {
            return;
        }
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
