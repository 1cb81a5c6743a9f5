using System.Globalization;
using System.Text;

namespace Appliance.Bench;

/// <summary>bench/results.md: machine, command, versions, one table per event, footprint, jitter, notes.</summary>
internal sealed class Report(BenchOptions options, IReadOnlyList<Daemon> daemons)
{
    private static readonly FailoverEvent[] AllEvents = [.. BenchRunner.Events, FailoverEvent.Maintenance];

    public List<Trial> Trials { get; } = [];

    public List<FootprintResult> Footprints { get; } = [];

    public List<Jitter> Jitters { get; } = [];

    public List<ScaleResult> Scale { get; } = [];

    public List<StartupResult> Startups { get; } = [];

    public List<string> Notes { get; } = [];

    public WebLoadResult? Web { get; set; }

    /// <summary>Issue 10's load run (200 connections, 50 VHIDs, keepalived beside it), when it ran.</summary>
    public LoadRunResult? Load { get; set; }

    public TimeSpan Elapsed { get; set; }

    public string Render()
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Failover benchmark results");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Command: `bench/run{(options.Quick ? " --quick" : "")}` (runs `Appliance.Bench {options.CommandLine}`), {options.Repetitions} repetition(s) per event, idle window {options.Idle.TotalSeconds:0} s, API load {options.Load.TotalSeconds:0} s; took {Elapsed:mm\\:ss}.");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Environment.ProcessorCount} CPUs ({Machine.CpuModel()}), {Machine.MemoryGiB():0.0} GiB RAM, kernel {Machine.Kernel()}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Versions: ucarp {Machine.Package("ucarp")}, keepalived {Machine.Package("keepalived")}, apache2 {Machine.Package("apache2")}, tcpdump {Machine.Package("tcpdump")}, .NET runtime {Environment.Version} (SDK {Machine.DotnetSdk()})");
        sb.AppendLine();
        RenderTargets(sb);
        foreach (var ev in AllEvents)
        {
            RenderEvent(sb, ev);
        }
        RenderDiagnostics(sb);
        RenderScale(sb);
        RenderFootprint(sb);
        RenderJitter(sb);
        RenderLoad(sb);
        RenderNotes(sb);
        return sb.ToString();
    }

    private IEnumerable<Trial> Of(Func<Daemon, bool> daemon, FailoverEvent ev) =>
        Trials.Where(t => t.Event == ev && daemons.Any(d => d.Label == t.Daemon && daemon(d)));

    private static double Median(IEnumerable<double> values) => Summary.Of(values.Where(double.IsFinite))?.Median ?? double.NaN;

    private static double Max(IEnumerable<double> values) => Summary.Of(values.Where(double.IsFinite))?.Max ?? double.NaN;

    private void RenderTargets(StringBuilder sb)
    {
        static bool Carp1(Daemon d) => d is ApplianceCarpDaemon { AdvBase: 1 };
        static bool Carp0(Daemon d) => d is ApplianceCarpDaemon { AdvBase: 0 };
        var rows = new List<(string Target, string Measured, bool? Met)>();
        var link1 = Median(Of(Carp1, FailoverEvent.LinkDown).Select(t => t.GapMs));
        var ucarpLink = Median(Of(d => d.IsReference, FailoverEvent.LinkDown).Select(t => t.GapMs));
        var kaLink = Median(Trials.Where(t => t.Event == FailoverEvent.LinkDown && t.Daemon.Contains("advert_int 1)", StringComparison.Ordinal)).Select(t => t.GapMs));
        rows.Add(("advbase 1, link down: gap median <= 3050 ms and below keepalived (advert_int 1) and ucarp",
            $"{Report.Ms(link1)} (keepalived {Report.Ms(kaLink)}, ucarp {Report.Ms(ucarpLink)})",
            Known(link1) ? link1 <= 3050 && (!Known(kaLink) || link1 < kaLink) && (!Known(ucarpLink) || link1 < ucarpLink) : null));
        var carp1 = daemons.FirstOrDefault(Carp1);
        var kill = Of(Carp1, FailoverEvent.SigKill).ToList();
        if (carp1 is not null)
        {
            var md = carp1.MasterDown.TotalMilliseconds;
            var silenceMax = Max(kill.Select(t => t.SilenceMs));
            rows.Add(($"advbase 1, SIGKILL: backup holds the VIP within master-down + 50 ms ({md + 50:0} ms after the master's last advert)",
                $"last advert -> backup's first advert max {Report.Ms(silenceMax)}, client served by node2 max {Report.Ms(Max(kill.Select(t => t.SilenceMs + t.GarpAfterAdvertMs + t.ClientAfterGarpMs)))} after the last advert",
                Known(silenceMax) ? silenceMax <= md + 50 : null));
        }
        var stale = Trials.Where(t => t.Event == FailoverEvent.SigKill && t.Daemon.StartsWith("appliance", StringComparison.Ordinal) && t.StaleVipAfterRestart is not null).ToList();
        rows.Add(("appliance: no duplicate VIP after a restart of the killed daemon",
            $"stale VIP still configured after restart in {stale.Count(t => t.StaleVipAfterRestart == true)}/{stale.Count} restarts",
            stale.Count > 0 ? stale.All(t => t.StaleVipAfterRestart == false) : null));
        var link0 = Median(Of(Carp0, FailoverEvent.LinkDown).Select(t => t.GapMs));
        rows.Add(("sub-second (advbase 0, skew 20/26), link down: gap median <= 320 ms", Report.Ms(link0), Known(link0) ? link0 <= 320 : null));
        var spurious = Trials.Where(t => t.Daemon.StartsWith("appliance", StringComparison.Ordinal)).Sum(t => t.SpuriousBefore)
            + Jitters.Where(j => j.Label.StartsWith("appliance", StringComparison.Ordinal)).Sum(j => j.Spurious);
        rows.Add(("appliance: zero spurious transitions while the master is healthy (failover runs, idle, API load)", spurious.ToString(CultureInfo.InvariantCulture), spurious == 0));
        foreach (var ev in new[] { FailoverEvent.SigTerm, FailoverEvent.Maintenance })
        {
            foreach (var label in Trials.Where(t => t.Event == ev && t.Daemon.StartsWith("appliance", StringComparison.Ordinal)).Select(t => t.Daemon).Distinct())
            {
                var m = Median(Trials.Where(t => t.Event == ev && t.Daemon == label).Select(t => t.GapMs));
                rows.Add(($"graceful handover ({(ev == FailoverEvent.SigTerm ? "SIGTERM" : "maintenance via API")}), {label}: gap median < 20 ms", Report.Ms(m), Known(m) ? m < 20 : null));
            }
        }
        foreach (var j in Jitters.Where(j => j.Label.StartsWith("appliance", StringComparison.Ordinal) && j.Condition.StartsWith("GET", StringComparison.Ordinal)))
        {
            rows.Add(($"adverts within 10 ms of their interval (p99) under API load, {j.Label}", $"p99 {j.P99:0.0} ms, max {j.Max:0.0} ms", j.Intervals > 0 ? j.P99 <= 10 : null));
        }
        ScaleTargets(rows);
        LoadTargets(rows);
        sb.AppendLine("## Targets (medians from the tables below)");
        sb.AppendLine();
        sb.AppendLine("| target | measured | met |");
        sb.AppendLine("|---|---|---|");
        foreach (var (target, measured, met) in rows)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {target} | {measured} | {(met is null ? "not measured" : met.Value ? "yes" : "**no**")} |");
        }
        sb.AppendLine();
    }

    private static bool Known(double v) => double.IsFinite(v);

    private (ScaleResult? Appliance, ScaleResult? Keepalived) ScalePair(int vhids) =>
        (Scale.FirstOrDefault(s => s.Vhids == vhids && s.Label.StartsWith("appliance", StringComparison.Ordinal)),
         Scale.FirstOrDefault(s => s.Vhids == vhids && s.Label.StartsWith("keepalived", StringComparison.Ordinal)));

    private void ScaleTargets(List<(string Target, string Measured, bool? Met)> rows)
    {
        var (a1, k1) = ScalePair(1);
        if (a1 is not null && k1 is not null)
        {
            rows.Add(("appliance carp (native) idle RSS with 1 VHID <= keepalived's", $"{Mib(a1.RssKb)} vs {Mib(k1.RssKb)} ({Ratio(a1.RssKb, k1.RssKb)})", a1.RssKb <= k1.RssKb));
        }
        foreach (var n in new[] { 50, 255 })
        {
            var (a, k) = ScalePair(n);
            if (a is null || k is null)
            {
                continue;
            }
            rows.Add(($"{n} VHIDs: RSS <= keepalived's", $"{Mib(a.RssKb)} vs {Mib(k.RssKb)} ({Ratio(a.RssKb, k.RssKb)})", a.RssKb <= k.RssKb));
            rows.Add(($"{n} VHIDs: CPU per advert <= keepalived's", $"{Us(a.CpuPerAdvertUs)} vs {Us(k.CpuPerAdvertUs)} ({Ratio(a.CpuPerAdvertUs, k.CpuPerAdvertUs)})",
                Known(a.CpuPerAdvertUs) && Known(k.CpuPerAdvertUs) ? a.CpuPerAdvertUs <= k.CpuPerAdvertUs : null));
        }
        var (a255, _) = ScalePair(255);
        if (a255 is not null)
        {
            rows.Add(("255 VHIDs: advert interval deviation p99 < 10 ms", $"p99 {a255.Jitter.P99:0.00} ms, max {a255.Jitter.Max:0.00} ms over {a255.Jitter.Intervals} intervals", a255.Jitter.Intervals > 0 ? a255.Jitter.P99 < 10 : null));
        }
        var launcher = Startups.FirstOrDefault(s => s.How.Contains("launcher", StringComparison.Ordinal));
        if (launcher is not null)
        {
            rows.Add(($"exec to \"Switching to state: BACKUP\" through ./appliance < 100 ms (median of {launcher.Ms.Count})", Ms(launcher.Median), launcher.Ms.Count > 0 ? launcher.Median < 100 : null));
        }
        if (Web is { } w)
        {
            rows.Add(("`appliance serve` idle RSS (one VHID, no requests), target 80 MB", Mib(w.ServeIdleRssKb), w.ServeIdleRssKb > 0 ? w.ServeIdleRssKb * 1024L <= 80_000_000 : null));
        }
    }

    private void LoadTargets(List<(string Target, string Measured, bool? Met)> rows)
    {
        if (Load?.Appliance is not { } a)
        {
            return;
        }
        var j = a.Loaded;
        var reference = Load.Keepalived is { } k ? $"; keepalived p99 {k.Loaded.P99:0.00} ms, ratio {Ratio(j.P99, k.Loaded.P99)}" : "";
        rows.Add(($"{a.Vhids} sub-second VHIDs on `appliance serve` under {a.Load.Connections} connections (API + dashboard, {a.Load.Seconds:0} s): no spurious transition, advert deviation p99 < 10 ms",
            $"spurious {j.Spurious}, p99 {j.P99:0.00} ms, max {j.Max:0.00} ms over {j.Intervals} intervals{reference}",
            j.Intervals > 0 ? j.Spurious == 0 && j.P99 < 10 : null));
    }

    private static string Mib(long kb) => (kb / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    private static string Us(double us) => double.IsFinite(us) ? us.ToString("0.0", CultureInfo.InvariantCulture) + " µs" : "–";

    private void RenderScale(StringBuilder sb)
    {
        if (Scale.Count == 0 && Startups.Count == 0)
        {
            return;
        }
        if (Scale.Count > 0)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"## Many VHIDs in one process (each daemon alone as MASTER of all of them, {Scale[0].WindowSeconds:0} s window)");
            sb.AppendLine();
            sb.AppendLine("CPU per advert = utime + stime of all the daemon's processes over the window / adverts captured from it in the window (a peer namespace, tcpdump). Deviation = |interval - nominal| of each VHID's consecutive adverts, all VHIDs pooled. Ratios: appliance / keepalived at the same VHID count.");
            sb.AppendLine();
            sb.AppendLine("| daemon (timing) | VHIDs | nominal interval | processes | threads | RSS | RSS ratio | CPU in window | adverts | CPU per advert | CPU ratio | deviation p50 | p99 | max | spurious transitions |");
            sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var s in Scale)
            {
                var (_, k) = ScalePair(s.Vhids);
                var keepalived = k is not null && s.Label.StartsWith("appliance", StringComparison.Ordinal);
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {s.Label} | {s.Vhids} | {s.NominalMs:0.###} ms | {s.Processes} | {s.Threads} | {Mib(s.RssKb)} | {(keepalived ? Ratio(s.RssKb, k!.RssKb) : "")} | {s.CpuSeconds:0.00} s | {s.Adverts} | {Us(s.CpuPerAdvertUs)} | {(keepalived ? Ratio(s.CpuPerAdvertUs, k!.CpuPerAdvertUs) : "")} | {s.Jitter.P50:0.00} ms | {s.Jitter.P99:0.00} ms | {s.Jitter.Max:0.00} ms | {s.Jitter.Spurious} |");
            }
            sb.AppendLine();
        }
        if (Startups.Count > 0)
        {
            sb.AppendLine("## Start-up: exec to the BACKUP log line (one VHID, advbase 1 / advert_int 1, a fresh start each time)");
            sb.AppendLine();
            sb.AppendLine("| daemon | how | starts | median | min | max | each |");
            sb.AppendLine("|---|---|---:|---:|---:|---:|---|");
            foreach (var s in Startups)
            {
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {s.Label} | {s.How} | {s.Ms.Count} | {Ms(s.Median)} | {Ms(s.Ms.DefaultIfEmpty(double.NaN).Min())} | {Ms(s.Ms.DefaultIfEmpty(double.NaN).Max())} | {string.Join(", ", s.Ms.Select(m => m.ToString("0", CultureInfo.InvariantCulture)))} |");
            }
            sb.AppendLine();
            sb.AppendLine("Measured from just before `ip netns exec` starts the process to the line on its output (the log is written by a thread of its own); keepalived's line is \"Entering BACKUP STATE\".");
            sb.AppendLine();
        }
    }

    private void RenderEvent(StringBuilder sb, FailoverEvent ev)
    {
        var rows = Trials.Where(t => t.Event == ev).GroupBy(t => t.Daemon).ToList();
        if (rows.Count == 0)
        {
            return;
        }
        var reference = Trials.Where(t => t.Event == ev && daemons.Any(d => d.IsReference && d.Label == t.Daemon)).ToList();
        var refGap = Summary.Of(reference.Select(t => t.GapMs).Where(double.IsFinite));
        var refTake = Summary.Of(reference.Select(t => t.TakeoverMs).Where(double.IsFinite));
        sb.AppendLine(CultureInfo.InvariantCulture, $"## {Title(ev)}");
        sb.AppendLine();
        sb.AppendLine("Gap = longest time between two successful client requests around the event; takeover = event to the first request answered by node2. Ratios: median / ucarp's median for the same event.");
        sb.AppendLine();
        sb.AppendLine("| daemon (timing) | gap min | gap median | gap max | gap / ucarp | takeover min | takeover median | takeover max | takeover / ucarp | n | notes |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var g in rows)
        {
            var gap = Summary.Of(g.Select(t => t.GapMs).Where(double.IsFinite));
            var take = Summary.Of(g.Select(t => t.TakeoverMs).Where(double.IsFinite));
            var notes = new List<string>();
            var dup = g.Where(t => t.DuplicateAfterKill is not null).ToList();
            if (dup.Count > 0)
            {
                notes.Add($"VIP on both nodes after the kill {dup.Count(t => t.DuplicateAfterKill == true)}/{dup.Count}");
            }
            var staleKnown = g.Where(t => t.StaleVipAfterRestart is not null).ToList();
            if (staleKnown.Count > 0)
            {
                notes.Add($"stale VIP still on node1 once its restarted daemon is BACKUP {staleKnown.Count(t => t.StaleVipAfterRestart == true)}/{staleKnown.Count}");
            }
            notes.Add($"spurious transitions before the event {g.Sum(t => t.SpuriousBefore)}");
            var baseline = Summary.Of(g.Select(t => t.BaselineGapMs).Where(double.IsFinite));
            if (baseline is not null)
            {
                notes.Add($"client noise floor (largest gap in the healthy second before) median {Ms(baseline.Median)}, max {Ms(baseline.Max)}");
            }
            var failed = g.Count(t => !double.IsFinite(t.GapMs));
            if (failed > 0)
            {
                notes.Add($"{failed} run(s) failed: {g.FirstOrDefault(t => t.Note is not null)?.Note}");
            }
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {g.Key} | {Ms(gap?.Min)} | {Ms(gap?.Median)} | {Ms(gap?.Max)} | {Ratio(gap?.Median, refGap?.Median)} | {Ms(take?.Min)} | {Ms(take?.Median)} | {Ms(take?.Max)} | {Ratio(take?.Median, refTake?.Median)} | {gap?.Count ?? 0} | {string.Join("; ", notes)} |");
        }
        sb.AppendLine();
    }

    private void RenderDiagnostics(StringBuilder sb)
    {
        var rows = Trials.Where(t => double.IsFinite(t.GarpAfterAdvertMs) || double.IsFinite(t.SilenceMs)).GroupBy(t => (t.Daemon, t.Event)).ToList();
        if (rows.Count == 0)
        {
            return;
        }
        sb.AppendLine("## Where the takeover time goes (capture in the client's namespace; medians, max in brackets)");
        sb.AppendLine();
        sb.AppendLine("silence = master's last advert to the backup's first; late = silence minus the backup's master-down interval; GARP = backup's first advert to its first gratuitous ARP; client = that GARP to the first request node2 answered.");
        sb.AppendLine();
        sb.AppendLine("| daemon (timing) | event | master-down | silence | late | GARP after advert | client after GARP |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var g in rows)
        {
            var md = daemons.FirstOrDefault(d => d.Label == g.Key.Daemon)?.MasterDown.TotalMilliseconds;
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {g.Key.Daemon} | {g.Key.Event} | {Ms1(md)} | {Ms1(Median(g.Select(t => t.SilenceMs)))} | {Ms1(Median(g.Select(t => t.LatenessMs)))} ({Ms1(Max(g.Select(t => t.LatenessMs)))}) | {Ms1(Median(g.Select(t => t.GarpAfterAdvertMs)))} ({Ms1(Max(g.Select(t => t.GarpAfterAdvertMs)))}) | {Ms1(Median(g.Select(t => t.ClientAfterGarpMs)))} ({Ms1(Max(g.Select(t => t.ClientAfterGarpMs)))}) |");
        }
        sb.AppendLine();
    }

    private void RenderFootprint(StringBuilder sb)
    {
        if (Footprints.Count == 0)
        {
            return;
        }
        sb.AppendLine(CultureInfo.InvariantCulture, $"## Idle footprint (each daemon alone as MASTER, {Footprints[0].WindowSeconds:0} s window)");
        sb.AppendLine();
        sb.AppendLine("| daemon (timing) | processes | RSS at end | peak RSS (VmHWM) | CPU time in window | CPU % | exec to BACKUP (log line) | exec to first advert | of which master-down |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var f in Footprints)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {f.Label} | {f.Processes} | {f.RssKb / 1024.0:0.0} MiB | {f.HwmKb / 1024.0:0.0} MiB | {f.CpuSeconds:0.00} s | {100 * f.CpuSeconds / f.WindowSeconds:0.00} | {Ms(f.ReadyMs)} | {Ms(f.FirstAdvertMs)} | {Ms(f.MasterDownMs)} |");
        }
        sb.AppendLine();
        sb.AppendLine("exec to first advert = from starting the process to its first advert on the wire; a lone node first waits one master-down interval as BACKUP, so start-up overhead = first advert minus master-down. CPU time = utime + stime of all the daemon's processes (/proc/PID/stat) over the window; RSS = VmRSS summed.");
        sb.AppendLine();
    }

    private void RenderJitter(StringBuilder sb)
    {
        if (Jitters.Count == 0)
        {
            return;
        }
        sb.AppendLine("## Advert timing (deviation of each interval from the nominal one, capture in a peer namespace)");
        sb.AppendLine();
        sb.AppendLine("| daemon (timing) | condition | nominal | intervals | p50 | p99 | max | spurious transitions | notes |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var j in Jitters)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {j.Label} | {j.Condition} | {j.NominalMs:0.###} ms | {j.Intervals} | {j.P50:0.00} ms | {j.P99:0.00} ms | {j.Max:0.00} ms | {j.Spurious} | {j.Note} |");
        }
        sb.AppendLine();
    }

    private void RenderLoad(StringBuilder sb)
    {
        if (Load is null)
        {
            return;
        }
        LoadSide[] sides = [.. new[] { Load.Appliance, Load.Keepalived }.OfType<LoadSide>()];
        sb.AppendLine(CultureInfo.InvariantCulture, $"## Load: {LoadRun.ApiConnections + LoadRun.DashboardConnections} connections to the master's node, {LoadRun.Vhids} sub-second VHIDs (issue 10)");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Command: `bench/run {options.CommandLine}` (the `--appliance` and `--out` arguments are bench/run's own), {Options(options)}. Date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC.");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"node1 is the master of {LoadRun.Vhids} VHIDs (VIPs 198.19.0.1-{LoadRun.Vhids}/32) and node2 their backup; a client namespace keeps {LoadRun.ApiConnections} + {LoadRun.DashboardConnections} keep-alive connections to node1 busy (the bench's own HttpClient workers, each sending its next GET as soon as the answer is read) while node1's adverts are captured with tcpdump in node2's namespace. First an idle window (no requests), then the load window. Deviation = |interval - nominal| of each VHID's consecutive adverts, all VHIDs pooled. Spurious = node2 entering MASTER (its log lines counted) or sending any advert (VHIDs counted), whichever is more. The appliance and keepalived run one after the other, each in a lab of its own; Apache serves byte-for-byte copies of the appliance's `/api/status`, `/` and `/history` answers so that the keepalived node moves the same bytes.");
        sb.AppendLine();
        sb.AppendLine("| master (timing) | backup on node2 | condition | adverts captured, spurious detail | intervals | deviation p50 | p99 | max | spurious transitions |");
        sb.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var side in sides)
        {
            foreach (var j in new[] { side.Idle, side.Loaded })
            {
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {side.Label} | {side.Backup} | {j.Condition} | {j.Note} | {j.Intervals} | {j.P50:0.00} ms | {j.P99:0.00} ms | {j.Max:0.00} ms | {j.Spurious} |");
            }
        }
        sb.AppendLine();
        if (Load.Appliance is { } a && Load.Keepalived is { } k)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"Under load, appliance / keepalived: p99 {a.Loaded.P99:0.00} / {k.Loaded.P99:0.00} ms = **{Ratio(a.Loaded.P99, k.Loaded.P99)}**; p50 {a.Loaded.P50:0.00} / {k.Loaded.P50:0.00} ms = {Ratio(a.Loaded.P50, k.Loaded.P50)}; max {a.Loaded.Max:0.00} / {k.Loaded.Max:0.00} ms = {Ratio(a.Loaded.Max, k.Loaded.Max)} (nominal {a.NominalMs:0.###} / {k.NominalMs:0.###} ms).");
            sb.AppendLine();
        }
        sb.AppendLine("| master | what the load hit on node1 | connections (opened) | requests | req/s | failed | per path | CPU of the server | CPU of the master daemon | machine busy | run queue median (max) | load generator CPU |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
        foreach (var side in sides)
        {
            var l = side.Load;
            var paths = string.Join("; ", l.Paths.Select(p => $"{p.Path} {p.Requests} ({p.Failed} failed{(p.FirstError is null ? "" : $", first: {p.FirstError.ReplaceLineEndings(" ").Replace('|', '/')}")})"));
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {side.Label} | {side.Server} | {l.Connections} ({l.ConnectionsOpened}) | {l.Requests} | {l.PerSecond:0} | {l.Failed} | {paths} | {side.ServerCpuSeconds:0.0} s ({100 * side.ServerCpuSeconds / l.Seconds:0} %) | {side.DaemonCpuSeconds:0.0} s | {100 * side.MachineBusy:0} % | {side.RunQueue?.Median:0} ({side.RunQueue?.Max:0}) | {l.GeneratorCpuSeconds:0.0} s ({100 * l.GeneratorCpuSeconds / l.Seconds:0} %) |");
        }
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"CPU = utime + stime over the load window (/proc/PID/stat; 100 % = one CPU); for `appliance serve` the server and the master daemon are the same process. Machine busy = non-idle share of all {Environment.ProcessorCount} CPUs over the window (/proc/stat), the load generator, tcpdump and node2's daemon included: everything shares the machine's CPUs, so the node is loaded as a whole, not only its server. Run queue = runnable tasks on the machine (procs_running, /proc/stat) sampled every 500 ms over the window: on 2 CPUs anything well above 2 means tasks waiting for a CPU, whoever started them.");
        sb.AppendLine();
    }

    private static string Options(BenchOptions o) => $"load window {o.Load.TotalSeconds:0} s, idle window {(o.Quick ? 5 : 20)} s";

    private void RenderNotes(StringBuilder sb)
    {
        sb.AppendLine("## Notes");
        sb.AppendLine();
        sb.AppendLine("- Everything runs in private network namespaces (a bridge namespace, node1, node2, a client) with addresses from 198.18.0.0/15; the lab is deleted afterwards.");
        sb.AppendLine("- HTTP responder: Apache 2.4 (`apache2 -f <lab conf> -DFOREGROUND`, mpm_event, KeepAlive off) on each node, listening on every address; `GET /` answers the node's name. The client (`HttpProber`) sends one GET to the VIP every 5 ms on a fresh TCP connection, 300 ms timeout, without waiting for earlier requests.");
        sb.AppendLine("- appliance carp: `-z --manage-vip --prefixlen 24`; node1 `-k 0 -P` / node2 `-k 1` at advbase 1 (master-down 3 s + 1/256 s), node1 `-b 0 -k 20 -P` / node2 `-b 0 -k 26` sub-second (adverts every 78 ms, master-down 3 x 102 ms = 305 ms).");
        sb.AppendLine("- ucarp: `-b 1 -z`, node1 `-k 0 -P`, node2 `-k 1`; the up/down scripts only `ip addr add/del VIP/24`, ucarp sends the gratuitous ARP itself.");
        sb.AppendLine("- keepalived: `keepalived -n -l -G -P -f conf -p pid -r vrrp_pid` per node, `vrrp_version 3`, both `state BACKUP`, priority 200 / 100, preempt (default), no authentication (VRRPv3). Its master-down is 3 x advert_int + (256 - 100)/256 x advert_int.");
        sb.AppendLine("- SIGKILL kills every process of the daemon (keepalived's VRRP child first). The VIP stays configured on the dead node for every daemon (the kernel keeps the address), so the old master goes on answering until the backup's gratuitous ARP moves the client: the SIGKILL *gap* is small for everybody and the *takeover* column is the one that matters. After the kill node1's daemon is restarted; the table says whether the killed run's VIP was still configured on node1 once the new daemon was BACKUP (a duplicate address next to the new master).");
        sb.AppendLine("- Link down = node1's bridge port set down (node1 loses carrier, keeps its addresses).");
        sb.AppendLine("- Graceful: SIGTERM of node1's daemon; for the web appliance also `POST /api/vhids/{id}/maintenance` (then `DELETE` and preempt hands it back).");
        if (Web is { } w)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- API load: `appliance serve` on node1 (VHID advbase 0, skew 20, preempt) with `appliance carp` backup on node2 (skew 26); {w.Workers} concurrent keep-alive connections from a second client namespace sending `GET /api/status` with a bearer token for {w.Seconds:0} s: {w.Requests} requests ({w.Requests / w.Seconds:0}/s), {w.Failed} failed. node1's adverts captured with tcpdump in node2's namespace. Spurious transitions = node2 entering MASTER (its log) or sending any advert during the window.");
        }
        sb.AppendLine("- Idle footprint: each daemon alone in its own lab, started one after the other, then idle together over one window (2 CPUs shared).");
        foreach (var n in Notes)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- {n}");
        }
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

    private static string Ms1(double? ms) => ms is { } v && double.IsFinite(v) ? v.ToString("0.0", CultureInfo.InvariantCulture) + " ms" : "–";

    internal static string Ratio(double? value, double? reference) =>
        value is { } v && reference is { } r && r > 0 && double.IsFinite(v) ? (v / r).ToString("0.00", CultureInfo.InvariantCulture) : "–";
}
