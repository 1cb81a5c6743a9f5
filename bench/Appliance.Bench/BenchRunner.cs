using System.Diagnostics;

namespace Appliance.Bench;

/// <summary>Runs every part of the benchmark and writes the report.</summary>
internal sealed class BenchRunner(BenchOptions options)
{
    public static readonly FailoverEvent[] Events = [FailoverEvent.SigKill, FailoverEvent.LinkDown, FailoverEvent.SigTerm];

    public IReadOnlyList<Daemon> Daemons(bool all = false)
    {
        Daemon[] daemons =
        [
            new ApplianceCarpDaemon(options.Launcher, 1, 0, 1, "advbase 1"),
            new ApplianceCarpDaemon(options.Launcher, 0, 20, 26, "advbase 0, skew 20/26"),
            new UcarpDaemon(),
            new KeepalivedDaemon(1, "advert_int 1"),
            new KeepalivedDaemon(0.1, "advert_int 0.1"),
        ];
        return all || options.Only.Count == 0
            ? daemons
            : [.. daemons.Where(d => options.Only.Any(o => d.Label.Contains(o, StringComparison.OrdinalIgnoreCase)))];
    }

    public async Task<int> RunAsync()
    {
        var clock = Stopwatch.StartNew();
        var report = new Report(options, Daemons(all: true));
        if (!options.SkipFailover)
        {
            foreach (var daemon in Daemons())
            {
                report.Trials.AddRange(await RunFailoverAsync(daemon));
                Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] {daemon.Label} done");
            }
        }
        if (!options.SkipFootprint)
        {
            Console.WriteLine($"== idle footprint: {options.Idle.TotalSeconds:0} s");
            var (footprints, jitters) = await Footprint.RunAsync(Daemons(), options.Idle);
            report.Footprints.AddRange(footprints);
            report.Jitters.AddRange(jitters);
            Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] footprint done");
        }
        if (!options.SkipScale)
        {
            await RunScaleAsync(report);
            Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] scale done");
        }
        if (!options.SkipJitter)
        {
            Console.WriteLine($"== REST API load: {options.Load.TotalSeconds:0} s");
            try
            {
                var web = await WebLoad.RunAsync(options.ApplianceExe, options.Quick ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(20), options.Load, options.Repetitions);
                report.Jitters.AddRange(web.Jitters);
                report.Trials.AddRange(web.Maintenance);
                report.Web = web;
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException)
            {
                Console.Error.WriteLine($"bench: REST API load run failed: {ex.Message}");
                report.Notes.Add($"The REST API load run failed: {ex.Message.Split('\n')[0]}");
            }
            Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] load done");
        }
        if (!options.SkipLoad)
        {
            Console.WriteLine($"== load (issue 10): {LoadRun.ApiConnections + LoadRun.DashboardConnections} connections, {LoadRun.Vhids} sub-second VHIDs, {options.Load.TotalSeconds:0} s; appliance serve, then keepalived");
            report.Load = await LoadRun.RunAsync(options);
            report.Notes.AddRange(report.Load.Notes);
            Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] load (issue 10) done");
        }
        report.Elapsed = clock.Elapsed;
        var text = report.Render();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Output))!);
        await File.WriteAllTextAsync(options.Output, text);
        Console.WriteLine(text);
        Console.WriteLine($"bench: wrote {options.Output} in {clock.Elapsed:mm\\:ss}");
        return 0;
    }

    /// <summary>
    /// appliance carp against keepalived at equal-ish sub-second rates (78.125 ms = advbase 0 advskew 20; 80 ms =
    /// advert_int 0.08, keepalived's centisecond grid has no 78.125), then start-up medians at advbase 1 / advert_int 1.
    /// </summary>
    private async Task RunScaleAsync(Report report)
    {
        Daemon[] scaled = [new ApplianceCarpDaemon(options.Launcher, 0, 20, 26, "advbase 0, skew 20"), new KeepalivedDaemon(0.08, "advert_int 0.08")];
        Console.WriteLine($"== scale: {string.Join(", ", Scale.VhidCounts)} VHIDs, {options.Window.TotalSeconds:0} s windows");
        foreach (var vhids in Scale.VhidCounts)
        {
            foreach (var daemon in scaled)
            {
                report.Scale.Add(await Scale.MeasureAsync(daemon, vhids, options.Window));
            }
        }
        Console.WriteLine($"== start-up: {options.Starts} starts each");
        report.Startups.Add(await Scale.StartupAsync(new ApplianceCarpDaemon(options.Launcher, 1, 0, 1, "advbase 1"), "`./appliance carp ...` (launcher, native appliance-carp)", options.Starts));
        report.Startups.Add(await Scale.StartupAsync(new ApplianceCarpDaemon(options.ApplianceExe, 1, 0, 1, "advbase 1"), "`appliance carp ...` (the product's managed verb, src/Appliance/bin/Release, for comparison)", options.Starts));
        report.Startups.Add(await Scale.StartupAsync(new KeepalivedDaemon(1, "advert_int 1"), "`keepalived -n ...`", options.Starts));
    }

    private async Task<List<Trial>> RunFailoverAsync(Daemon daemon)
    {
        var trials = new List<Trial>();
        Console.WriteLine($"== {daemon.Label}: {options.Repetitions} x {string.Join(", ", Events)}");
        await using var pair = await FailoverPair.CreateAsync(daemon, "pair");
        for (var rep = 1; rep <= options.Repetitions; rep++)
        {
            foreach (var ev in Events)
            {
                var t = await pair.RunAsync(ev, rep);
                Console.WriteLine($"  rep {rep} {ev}: gap {t.GapMs:0} ms, takeover {t.TakeoverMs:0} ms, failed {t.Failed}, dup {t.DuplicateAfterKill}, stale {t.StaleVipAfterRestart}, spurious {t.SpuriousBefore}, silence {t.SilenceMs:0.0} (late {t.LatenessMs:0.0}), garp +{t.GarpAfterAdvertMs:0.0}, client +{t.ClientAfterGarpMs:0.0} {t.Note}");
                trials.Add(t);
            }
        }
        return trials;
    }
}
