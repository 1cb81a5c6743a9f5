using System.Diagnostics;
using System.Net;
using Appliance.Lab;

namespace Appliance.Bench;

/// <summary>One daemon alone as MASTER of <see cref="Vhids"/> VHIDs over a window.</summary>
internal sealed record ScaleResult(string Label, int Vhids, double NominalMs, int Processes, int Threads, long RssKb, double CpuSeconds, double WindowSeconds, int Adverts, Jitter Jitter)
{
    /// <summary>CPU time per advert on the wire, in microseconds.</summary>
    public double CpuPerAdvertUs => Adverts > 0 ? CpuSeconds * 1e6 / Adverts : double.NaN;
}

/// <summary>Exec to the BACKUP log line, one sample per start.</summary>
internal sealed record StartupResult(string Label, string How, IReadOnlyList<double> Ms)
{
    public double Median => Summary.Percentile([.. Ms.Order()], 50);
}

/// <summary>
/// Many VHIDs in one process, appliance carp (the native appliance-carp, through the ./appliance launcher) against
/// keepalived, one after the other in labs of their own (a node plus a capturing node): resident memory, CPU time
/// per advert counted on the wire, and the advert interval deviation of every VHID, pooled. Also start-up: exec
/// to the BACKUP line, repeated.
/// </summary>
internal static class Scale
{
    public static readonly int[] VhidCounts = [1, 50, 255];

    /// <summary>The VIP of vhid <paramref name="vhid"/> (1-255): 198.19.0.vhid/32, inside the lab's private namespaces.</summary>
    public static IPAddress Vip(int vhid) => new([198, 19, 0, (byte)vhid]);

    public static async Task<ScaleResult> MeasureAsync(Daemon daemon, int vhids, TimeSpan window)
    {
        await using var lab = new NetworkLab();
        var node = lab.AddNode("node1");
        var cap = lab.AddNode("cap");
        var capture = await Capture.StartAsync(lab, cap);
        var process = ((IMultiVhidDaemon)daemon).StartMany(lab, node, vhids);
        try
        {
            var masters = 0;
            await process.WaitForLineAsync(l => l.Contains(daemon.MasterLine, StringComparison.Ordinal) && ++masters >= vhids, TimeSpan.FromSeconds(60));
            // Past the start-up (and its garbage collection): then the window.
            await Task.Delay(TimeSpan.FromSeconds(2));
            var pids = daemon.Pids(process);
            var cpu0 = ProcStats.TotalCpuSeconds(pids);
            var t0 = Capture.Now();
            var clock = Stopwatch.StartNew();
            await Task.Delay(window);
            var cpu = ProcStats.TotalCpuSeconds(pids) - cpu0;
            var seconds = clock.Elapsed.TotalSeconds;
            var t1 = Capture.Now();
            var rss = ProcStats.TotalRssKb(pids);
            var threads = pids.Sum(ProcStats.Threads);
            // The last adverts of the window may still be on their way to the capture.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            var source = node.Address.ToString();
            var adverts = capture.Packets().Where(p => p.Kind == PacketKind.Advert && p.Source == source && p.Time >= t0 && p.Time <= t1).ToList();
            var spurious = process.Lines.Count(l => l.Contains(daemon.BackupLine, StringComparison.Ordinal)) - vhids;
            var jitter = Jitter.OfStreams(daemon.Label, $"{vhids} VHIDs, alone", daemon.AdvertInterval.TotalMilliseconds,
                adverts.GroupBy(p => p.Vrid).Select(g => g.Select(p => p.Time)), Math.Max(0, spurious));
            var result = new ScaleResult(daemon.Label, vhids, daemon.AdvertInterval.TotalMilliseconds, pids.Count, threads, rss, cpu, seconds, adverts.Count, jitter);
            Console.WriteLine($"  scale: {daemon.Label} x {vhids}: RSS {rss / 1024.0:0.0} MiB, {threads} threads, CPU {cpu:0.00} s, {adverts.Count} adverts, {result.CpuPerAdvertUs:0.0} us/advert, jitter p99 {jitter.P99:0.00} ms");
            return result;
        }
        finally
        {
            daemon.KillHard(process);
            await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
            capture.Stop();
        }
    }

    /// <summary>Starts the daemon (one VHID, advbase 1) <paramref name="starts"/> times: exec to its BACKUP line each time.</summary>
    public static async Task<StartupResult> StartupAsync(Daemon daemon, string how, int starts)
    {
        await using var lab = new NetworkLab();
        var node = lab.AddNode("node1");
        var samples = new List<double>();
        for (var i = 0; i < starts; i++)
        {
            var clock = Stopwatch.StartNew();
            var process = daemon.Start(new DaemonContext(lab, node, Role.Preferred, lab.AllocateAddress(), FailoverPair.Vhid, $"start{i}"));
            try
            {
                await process.WaitForLineAsync(daemon.BackupLine, TimeSpan.FromSeconds(20));
                samples.Add(clock.Elapsed.TotalMilliseconds);
            }
            finally
            {
                daemon.KillHard(process);
                await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
            }
        }
        var result = new StartupResult(daemon.Label, how, samples);
        Console.WriteLine($"  start-up: {daemon.Label}: {string.Join(", ", samples.Select(s => $"{s:0}"))} ms (median {result.Median:0})");
        return result;
    }
}
