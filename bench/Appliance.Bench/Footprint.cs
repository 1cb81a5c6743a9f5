using System.Diagnostics;
using System.Globalization;
using Appliance.Lab;

namespace Appliance.Bench;

/// <summary>Advert timing: deviation of each interval from the nominal one (ms).</summary>
internal sealed record Jitter(string Label, string Condition, double NominalMs, int Intervals, double P50, double P99, double Max, int Spurious, string? Note)
{
    public static Jitter Of(string label, string condition, double nominalMs, IEnumerable<double> advertTimes, int spurious, string? note = null) =>
        OfStreams(label, condition, nominalMs, [advertTimes], spurious, note);

    /// <summary>Several advert streams (one per VHID) at the same nominal interval: their deviations pooled.</summary>
    public static Jitter OfStreams(string label, string condition, double nominalMs, IEnumerable<IEnumerable<double>> streams, int spurious, string? note = null)
    {
        var deviations = streams.SelectMany(stream =>
        {
            var times = stream.Order().ToArray();
            return times.Zip(times.Skip(1), (a, b) => Math.Abs(((b - a) * 1000) - nominalMs));
        }).Order().ToArray();
        return new Jitter(label, condition, nominalMs, deviations.Length,
            Summary.Percentile(deviations, 50), Summary.Percentile(deviations, 99), deviations.Length > 0 ? deviations[^1] : double.NaN, spurious, note);
    }
}

/// <summary>One daemon alone as MASTER over the idle window.</summary>
internal sealed record FootprintResult(string Label, int Processes, long RssKb, long HwmKb, double CpuSeconds, double WindowSeconds, double ReadyMs, double FirstAdvertMs, double MasterDownMs);

/// <summary>
/// Each daemon alone in its own lab (one node plus a capturing node) as MASTER: resident memory,
/// CPU time over the idle window, start-up to the first advert, and the advert timing while idle.
/// The daemons are started one after the other and then idle together over the same window.
/// </summary>
internal static class Footprint
{
    public static async Task<(List<FootprintResult> Footprints, List<Jitter> Jitters)> RunAsync(IReadOnlyList<Daemon> daemons, TimeSpan idle)
    {
        var labs = new List<NetworkLab>();
        var running = new List<(Daemon Daemon, LabNode Node, LabProcess Process, Capture Capture, double ReadyMs, double Exec)>();
        try
        {
            foreach (var daemon in daemons)
            {
                var lab = new NetworkLab();
                labs.Add(lab);
                var node = lab.AddNode("node1");
                var cap = lab.AddNode("cap");
                var capture = await Capture.StartAsync(lab, cap);
                var exec = Capture.Now();
                var clock = Stopwatch.StartNew();
                var process = daemon.Start(new DaemonContext(lab, node, Role.Preferred, lab.AllocateAddress(), FailoverPair.Vhid, "idle"));
                await process.WaitForLineAsync(daemon.BackupLine, TimeSpan.FromSeconds(20));
                var ready = clock.Elapsed.TotalMilliseconds;
                await process.WaitForLineAsync(daemon.MasterLine, TimeSpan.FromSeconds(20));
                running.Add((daemon, node, process, capture, ready, exec));
                Console.WriteLine($"  idle: {daemon.Label} MASTER ({ready:0} ms to BACKUP)");
            }

            // Let the first adverts reach the captures, then the common idle window.
            await Task.Delay(TimeSpan.FromSeconds(1));
            var pids = running.Select(r => r.Daemon.Pids(r.Process)).ToList();
            var cpu0 = pids.Select(ProcStats.TotalCpuSeconds).ToList();
            var w0 = Capture.Now();
            var window = Stopwatch.StartNew();
            await Task.Delay(idle);
            var seconds = window.Elapsed.TotalSeconds;
            var w1 = Capture.Now();
            var footprints = new List<FootprintResult>();
            var jitters = new List<Jitter>();
            for (var i = 0; i < running.Count; i++)
            {
                var r = running[i];
                var cpu = ProcStats.TotalCpuSeconds(pids[i]) - cpu0[i];
                var rss = ProcStats.TotalRssKb(pids[i]);
                var hwm = pids[i].Sum(ProcStats.HwmKb);
                var source = r.Node.Address.ToString();
                var adverts = r.Capture.Packets().Where(p => p.Kind == PacketKind.Advert && p.Source == source).ToList();
                var first = adverts.Count > 0 ? (adverts[0].Time - r.Exec) * 1000 : double.NaN;
                footprints.Add(new FootprintResult(r.Daemon.Label, pids[i].Count, rss, hwm, cpu, seconds, r.ReadyMs, first, r.Daemon.MasterDown.TotalMilliseconds));
                var spurious = r.Process.Lines.Count(l => l.Contains(r.Daemon.BackupLine, StringComparison.Ordinal)) - 1;
                jitters.Add(Jitter.Of(r.Daemon.Label, "idle, alone", r.Daemon.AdvertInterval.TotalMilliseconds,
                    adverts.Where(p => p.Time >= w0 && p.Time <= w1).Select(p => p.Time), Math.Max(0, spurious)));
            }
            return (footprints, jitters);
        }
        finally
        {
            foreach (var r in running)
            {
                r.Capture.Stop();
            }
            foreach (var lab in labs)
            {
                await lab.DisposeAsync();
            }
        }
    }
}
