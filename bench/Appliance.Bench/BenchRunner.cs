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
            new ApplianceCarpDaemon(options.ApplianceExe, 1, 0, 1, "advbase 1"),
            new ApplianceCarpDaemon(options.ApplianceExe, 0, 20, 26, "advbase 0, skew 20/26"),
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
        report.Elapsed = clock.Elapsed;
        var text = report.Render();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Output))!);
        await File.WriteAllTextAsync(options.Output, text);
        Console.WriteLine(text);
        Console.WriteLine($"bench: wrote {options.Output} in {clock.Elapsed:mm\\:ss}");
        return 0;
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
                Console.WriteLine($"  rep {rep} {ev}: gap {t.GapMs:0} ms, takeover {t.TakeoverMs:0} ms, failed {t.Failed}, dup {t.DuplicateAfterKill}, stale {t.StaleVipAfterRestart}, spurious {t.SpuriousBefore} {t.Note}");
                trials.Add(t);
            }
        }
        return trials;
    }
}
