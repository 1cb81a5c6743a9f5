using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Appliance.IntegrationTests.Lab;
using Appliance.Lab;
using Tmds.Linux;
using Xunit.Abstractions;
using static Appliance.IntegrationTests.Carp.CarpKit;

namespace Appliance.IntegrationTests.Carp;

/// <summary>
/// A flood of forged frames (docs/carp-protocol.md, 5.3 Drops under a flood) on a real segment: a sub-second
/// <c>appliance carp</c> MASTER and a backup both receive 100,000 forged frames of six kinds. Nothing changes
/// state, every frame is accounted for in the drop counters (queue overflows included), the log stays short,
/// and the master's adverts keep their interval.
/// </summary>
[Collection(LabCollection.Name)]
public sealed partial class CarpFloodTests(ITestOutputHelper output)
{
    private const byte Vhid = 21;
    private const string Password = "flood-pw";
    private const int Frames = 100_000;
    /// <summary>The master's interval: advbase 0, advskew 50 = 50/256 s.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(50 / 256.0);
    private static readonly string[] Kinds = ["badTtl", "badVersion", "wrongVhid", "badChecksum", "badDigest", "replay"];
    private int _probes;

    [Fact]
    public async Task HundredThousandForgedFramesOfSixKinds_NoTransitionEveryFrameCountedFewLogLinesAdvertsOnTime()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var b = lab.AddNode("b");
        var x = lab.AddNode("x");
        var c = lab.AddNode("c");
        var vip = lab.AllocateAddress();
        using var injector = FrameInjector.Open(lab, x);
        var master = StartCarp(lab, a, [.. SubSecond(CommonArgs(a, vip, Vhid, Password, 50)), "--manage-vip"]);
        await master.WaitForLineAsync(MasterLine, FirstMaster);
        var backup = StartCarp(lab, b, [.. CommonArgs(b, vip, Vhid, Password, 100), "--manage-vip"]);
        await backup.WaitForLineAsync(BackupLine, FirstMaster);

        // The frames, built before the clock starts: a's own advert replayed from x with a counter a has passed.
        var captured = FrameInjector.CaptureAdvert(lab, x, a, Short);
        var winning = injector.Advert(Vhid, 1, 0, Password, vip);
        var frames = new byte[Kinds.Length][];
        frames[0] = Edit(winning, f => f[FrameInjector.Ip + 8] = 64, ip: true);
        frames[1] = Edit(winning, f => f[FrameInjector.Carp] = 0x31, carp: true);
        frames[2] = injector.Advert(Vhid + 1, 1, 0, Password, vip);
        frames[3] = Edit(winning, f => f[FrameInjector.Carp + 7] ^= 0x5A);
        frames[4] = injector.Advert(Vhid, 1, 0, "not-the-pw", vip);
        frames[5] = injector.Respoof(captured, advskew: 0);

        var capture = lab.Start(c, "tcpdump", ["-Z", "root", "-i", c.Interface, "-n", "-tt", "-l", "-B", "8192", $"ip proto 112 and src host {a.Address}"]);
        await capture.WaitForLineAsync(l => l.Contains("listening on", StringComparison.Ordinal), Short);
        await Task.Delay(Interval * 4);
        // Whatever either side dropped before (the replay-guard's first adverts, the capture) is not the flood's.
        var (masterBefore, backupBefore) = (await ReadCountersAsync(master), await ReadCountersAsync(backup));
        var (masterFrom, backupFrom) = (master.LineCount, backup.LineCount);
        var started = Stopwatch.StartNew();
        for (var i = 0; i < Frames; i++)
        {
            injector.Send(frames[i % Kinds.Length]);
            if (i % 200 == 199)
            {
                // Paced just enough for the veth's per-CPU backlog to drain: a loss there would be nobody's count.
                Thread.Sleep(1);
            }
        }
        var floodTime = started.Elapsed;
        // One more interval of adverts after the flood, then stop counting gaps.
        await Task.Delay(Interval * 4);
        var stamps = capture.Lines.Select(AdvertStamp).OfType<double>().ToList();

        // Every frame is counted: the kernel reports queue overflows with the next packet it queues, so probes (wrong
        // vhid, silent in the log) go out until each side's counts add up; they are subtracted again.
        var masterDrops = await CountersAfterProbesAsync(master, masterBefore, injector, frames[2]);
        var backupDrops = await CountersAfterProbesAsync(backup, backupBefore, injector, frames[2]);
        output.WriteLine($"before the flood: a {Describe(masterBefore)}; b {Describe(backupBefore)}");
        output.WriteLine($"{Frames} frames sent in {Ms(floodTime)} ({Frames / floodTime.TotalSeconds:F0}/s)");
        output.WriteLine($"a: {Describe(masterDrops)}");
        output.WriteLine($"b: {Describe(backupDrops)}");
        foreach (var drops in new[] { masterDrops, backupDrops })
        {
            Assert.Equal(Frames, Kinds.Sum(k => drops.GetValueOrDefault(k)) + drops.GetValueOrDefault("queueOverflow"));
            for (var k = 0; k < Kinds.Length; k++)
            {
                // Frame i is of kind i % 6: the first kinds get one frame more.
                Assert.InRange(drops.GetValueOrDefault(Kinds[k]), 1, (Frames - k + Kinds.Length - 1) / Kinds.Length);
            }
        }

        // No transition, on either node.
        Assert.Empty(LinesWith(master, "Switching to state", masterFrom));
        Assert.Empty(LinesWith(backup, "Switching to state", backupFrom));
        Assert.Equal(["a"], Holders(lab, vip));

        // Adverts kept their interval through the flood.
        Assert.True(stamps.Count > 10, $"too few adverts captured: {stamps.Count}\n{string.Join('\n', capture.Lines.Take(20))}");
        var gaps = stamps.Zip(stamps.Skip(1), (p, n) => n - p).ToList();
        var maxGap = TimeSpan.FromSeconds(gaps.Max());
        output.WriteLine($"adverts captured at c: {stamps.Count}, interval {Ms(Interval)}, max gap {maxGap.TotalMilliseconds:F1} ms");
        Assert.True(maxGap <= Interval + TimeSpan.FromMilliseconds(60), $"an advert gap of {maxGap.TotalMilliseconds:F1} ms");

        // The log: per reason the first lines of an interval in full, then one summary line when the interval has ended
        // (10 s, plus up to one more for the summary timer's phase). Full + suppressed = counted, for every reason
        // logged at the default level (wrong vhid is a debug line, as in ucarp).
        await Eventually.TrueAsync(() => LogAccountsFor(master, masterFrom, masterDrops), "a's log accounting for every drop", TimeSpan.FromSeconds(25));
        var lines = master.LineCount - masterFrom;
        output.WriteLine($"a wrote {lines} log lines for the flood and the probes:");
        foreach (var line in master.Lines.Skip(masterFrom).Where(l => !l.Contains(" id " + Vhid + ":", StringComparison.Ordinal) && !l.Contains(" on " + a.Interface + " id ", StringComparison.Ordinal)))
        {
            output.WriteLine("  " + line);
        }
        // SIGUSR1 answered with two lines per probe; the rest is the flood's.
        Assert.InRange(lines, 1, 100 + 2 * 20);
        Assert.InRange(LinesWith(master, "suppressed ", masterFrom).Count, 5, 20);
        Assert.InRange(backup.LineCount - backupFrom, 1, 100 + 2 * 20);
    }

    /// <summary>The full lines and the summaries of each logged reason add up to its counter.</summary>
    private static bool LogAccountsFor(LabProcess carp, int from, Dictionary<string, long> drops)
    {
        var lines = carp.Lines.Skip(from).ToList();
        foreach (var (kind, full, words) in LoggedReasons)
        {
            var logged = lines.Count(l => l.Contains(full, StringComparison.Ordinal));
            var suppressed = lines.Select(l => SummaryLine().Match(l)).Where(m => m.Success && m.Groups["words"].Value == words)
                .Sum(m => long.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture));
            if (logged + suppressed != drops[kind] || suppressed == 0)
            {
                return false;
            }
        }
        return true;
    }

    private static readonly (string Kind, string Full, string Words)[] LoggedReasons =
    [
        ("badTtl", "] Bad TTL: [64]", "bad TTL"),
        ("badVersion", "] Bad version: [3]", "bad version"),
        ("badChecksum", "] Bad IP checksum", "bad checksum"),
        ("badDigest", "] " + BadDigest, "bad digest"),
        ("replay", "] Replayed advert from ", "replay"),
    ];

    /// <summary>The common flags with advbase 0 instead of 1.</summary>
    private static List<string> SubSecond(List<string> args)
    {
        args[args.IndexOf("-b") + 1] = "0";
        return args;
    }

    private static byte[] Edit(byte[] frame, Action<byte[]> edit, bool ip = false, bool carp = false)
    {
        var copy = frame.ToArray();
        edit(copy);
        if (ip)
        {
            FrameInjector.FixIpChecksum(copy);
        }
        if (carp)
        {
            FrameInjector.FixCarpChecksum(copy);
        }
        return copy;
    }

    /// <summary>tcpdump -tt: "1764755000.123456 IP 198.18.0.2 > 224.0.0.18: VRRPv2/CARP ...".</summary>
    private static double? AdvertStamp(string line) =>
        line.Contains(" > 224.0.0.18", StringComparison.Ordinal) && double.TryParse(line.AsSpan(0, line.IndexOf(' ', StringComparison.Ordinal)), NumberStyles.Float, CultureInfo.InvariantCulture, out var t)
            ? t
            : null;

    /// <summary>
    /// Sends wrong-vhid probes, one at a time, and reads the counters through SIGUSR1 until the drops add up to the flood
    /// plus every probe sent so far (each node hears them all; at most 20 each); returns the counts since
    /// <paramref name="before"/> with the probes taken off wrongVhid.
    /// </summary>
    private async Task<Dictionary<string, long>> CountersAfterProbesAsync(LabProcess carp, Dictionary<string, long> before, FrameInjector injector, byte[] probe)
    {
        Dictionary<string, long> drops = [];
        for (var i = 0; i < 20; i++)
        {
            injector.Send(probe);
            _probes++;
            await Task.Delay(50);
            drops = (await ReadCountersAsync(carp)).ToDictionary(d => d.Key, d => d.Value - before.GetValueOrDefault(d.Key));
            var total = Kinds.Sum(k => drops.GetValueOrDefault(k)) + drops.GetValueOrDefault("queueOverflow");
            if (total >= Frames + _probes)
            {
                break;
            }
        }
        drops["wrongVhid"] = drops.GetValueOrDefault("wrongVhid") - _probes;
        return drops;
    }

    private static async Task<Dictionary<string, long>> ReadCountersAsync(LabProcess carp)
    {
        var from = carp.LineCount;
        carp.Kill(LibC.SIGUSR1);
        var line = await carp.WaitForLineAsync(l => l.Contains($" id {Vhid}: adverts sent ", StringComparison.Ordinal), Short, from);
        return CountersLine().Match(line).Groups["pair"].Captures
            .Select(p => p.Value.Split('='))
            .ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture));
    }

    private static string Describe(Dictionary<string, long> drops) => string.Join(", ", drops.Select(d => $"{d.Key} {d.Value}"));

    [GeneratedRegex(@"drops(?: (?<pair>\w+=\d+))+$")]
    private static partial Regex CountersLine();

    [GeneratedRegex(@"suppressed (?<n>\d+) (?<words>.+?) drops? in the last 10 s")]
    private static partial Regex SummaryLine();
}
