using System.Globalization;
using System.Text;

namespace Appliance.Bench;

/// <summary>bench/results.md: machine, command, versions, one table per event, footprint, jitter, notes.</summary>
internal sealed class Report(BenchOptions options, IReadOnlyList<Daemon> daemons)
{
    public List<Trial> Trials { get; } = [];

    public TimeSpan Elapsed { get; set; }

    public string Render()
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Failover benchmark results");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Command: `bench/run {options.CommandLine}`");
        sb.AppendLine();
        foreach (var ev in BenchRunner.Events)
        {
            RenderEvent(sb, ev);
        }
        return sb.ToString();
    }

    private void RenderEvent(StringBuilder sb, FailoverEvent ev)
    {
        var rows = Trials.Where(t => t.Event == ev).GroupBy(t => t.Daemon).ToList();
        if (rows.Count == 0)
        {
            return;
        }
        var reference = rows.FirstOrDefault(g => daemons.Any(d => d.IsReference && d.Label == g.Key));
        var refGap = reference is null ? null : Summary.Of(reference.Select(t => t.GapMs).Where(double.IsFinite));
        var refTake = reference is null ? null : Summary.Of(reference.Select(t => t.TakeoverMs).Where(double.IsFinite));
        sb.AppendLine(CultureInfo.InvariantCulture, $"## {Title(ev)}");
        sb.AppendLine();
        sb.AppendLine("| daemon (timing) | gap min | gap median | gap max | gap / ucarp | takeover min | takeover median | takeover max | takeover / ucarp | n | notes |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var g in rows)
        {
            var gap = Summary.Of(g.Select(t => t.GapMs).Where(double.IsFinite));
            var take = Summary.Of(g.Select(t => t.TakeoverMs).Where(double.IsFinite));
            var notes = new List<string>();
            if (g.Any(t => t.DuplicateAfterKill == true))
            {
                notes.Add($"duplicate VIP after kill {g.Count(t => t.DuplicateAfterKill == true)}/{g.Count()}");
            }
            else if (g.Any(t => t.DuplicateAfterKill == false))
            {
                notes.Add("no duplicate VIP after kill");
            }
            var staleKnown = g.Where(t => t.StaleVipAfterRestart is not null).ToList();
            if (staleKnown.Count > 0)
            {
                notes.Add($"stale VIP still on node1 after restart {staleKnown.Count(t => t.StaleVipAfterRestart == true)}/{staleKnown.Count}");
            }
            var spurious = g.Sum(t => t.SpuriousBefore);
            notes.Add($"spurious transitions {spurious}");
            var failed = g.Count(t => !double.IsFinite(t.GapMs));
            if (failed > 0)
            {
                notes.Add($"{failed} failed: {g.First(t => t.Note is not null).Note}");
            }
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {g.Key} | {Ms(gap?.Min)} | {Ms(gap?.Median)} | {Ms(gap?.Max)} | {Ratio(gap?.Median, refGap?.Median)} | {Ms(take?.Min)} | {Ms(take?.Median)} | {Ms(take?.Max)} | {Ratio(take?.Median, refTake?.Median)} | {gap?.Count ?? 0} | {string.Join("; ", notes)} |");
        }
        sb.AppendLine();
    }

    private static string Title(FailoverEvent ev) => ev switch
    {
        FailoverEvent.SigKill => "SIGKILL of the master's daemon",
        FailoverEvent.LinkDown => "Master's link down (cable pulled)",
        FailoverEvent.SigTerm => "Graceful handover: SIGTERM of the master's daemon",
        FailoverEvent.Maintenance => "Graceful handover: maintenance via the REST API",
        _ => ev.ToString(),
    };

    internal static string Ms(double? ms) => ms is { } v && double.IsFinite(v) ? v.ToString("0", CultureInfo.InvariantCulture) + " ms" : "–";

    internal static string Ratio(double? value, double? reference) =>
        value is { } v && reference is { } r && r > 0 && double.IsFinite(v) ? (v / r).ToString("0.00", CultureInfo.InvariantCulture) : "–";
}
