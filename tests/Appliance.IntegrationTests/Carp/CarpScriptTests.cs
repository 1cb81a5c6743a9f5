using System.Diagnostics;
using System.Net;
using Appliance.IntegrationTests.Lab;
using Appliance.Lab;
using Xunit.Abstractions;
using static Appliance.IntegrationTests.Carp.CarpKit;

namespace Appliance.IntegrationTests.Carp;

/// <summary>Up/down scripts as ucarp calls them (<c>script &lt;if&gt; &lt;vip&gt; [xparam]</c>), and a slow upscript not stalling the adverts.</summary>
[Collection(LabCollection.Name)]
public sealed class CarpScriptTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Scripts_LoneNodes_DownscriptAtStartUnlessNeutralThenUpscriptWithInterfaceVipAndXparam()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var n = lab.AddNode("n");
        var vipA = lab.AllocateAddress();
        var vipN = lab.AllocateAddress();
        var (scriptsA, logA) = LoggingScripts(lab, a, sleepInUp: 0);
        var (scriptsN, logN) = LoggingScripts(lab, n, sleepInUp: 0);

        // Different vhids on one segment: each ignores the other and becomes MASTER alone.
        var carpA = StartCarp(lab, a, [.. CommonArgs(a, vipA, 42, "secret", 0), .. scriptsA, "-x", "extra1"]);
        var carpN = StartCarp(lab, n, [.. CommonArgs(n, vipN, 43, "secret", 0), .. scriptsN, "-n"]);
        await carpA.WaitForLineAsync(MasterLine, FirstMaster);
        await carpN.WaitForLineAsync(MasterLine, FirstMaster);
        await Eventually.TrueAsync(() => Calls(logA).Count >= 2 && Calls(logN).Count >= 1, "script calls logged", Short);
        await Eventually.TrueAsync(() => lab.HasAddress(a, vipA) && lab.HasAddress(n, vipN), "VIPs added by the upscripts", Short);

        Assert.Equal([$"down {a.Interface} {vipA} extra1", $"up {a.Interface} {vipA} extra1"], Calls(logA));
        // --neutral: no downscript at start; no -x: exactly two arguments.
        Assert.Equal([$"up {n.Interface} {vipN}"], Calls(logN));
        var spawnDown = IndexOf(carpA, $"Spawning [{scriptsA[3]} {a.Interface} {vipA} extra1]");
        var spawnUp = IndexOf(carpA, $"Spawning [{scriptsA[1]} {a.Interface} {vipA} extra1]");
        Assert.True(
            IndexOf(carpA, BackupLine) < spawnDown && spawnDown < IndexOf(carpA, MasterLine) && IndexOf(carpA, MasterLine) < spawnUp,
            "expected BACKUP, Spawning down, MASTER, Spawning up:\n" + carpA.Output);
        Assert.Equal(-1, IndexOf(carpN, "vip-down"));

        // SIGUSR2 (ucarp: force BACKUP) runs the downscript again, with the same arguments.
        var from = carpA.LineCount;
        carpA.Kill(12);
        await carpA.WaitForLineAsync(BackupLine, Short, from);
        await Eventually.TrueAsync(() => Calls(logA).Count >= 3, "downscript after SIGUSR2", Short);
        Assert.Equal($"down {a.Interface} {vipA} extra1", Calls(logA)[2]);
        await Eventually.TrueAsync(() => !lab.HasAddress(a, vipA), "VIP removed by the downscript", Short);
    }

    [Fact]
    public async Task Scripts_SlowUpscript_MasterKeepsAdvertisingSoBackupNeverTakesOver()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var b = lab.AddNode("b");
        var vip = lab.AllocateAddress();
        var (scriptsA, logA) = LoggingScripts(lab, a, sleepInUp: 5);

        var carpA = StartCarp(lab, a, [.. CommonArgs(a, vip, 42, "secret", 0), "-P", .. scriptsA]);
        var carpB = StartCarp(lab, b, [.. CommonArgs(b, vip, 42, "secret", 50), .. VipScripts(lab, b)]);
        await carpA.WaitForLineAsync(MasterLine, FirstMaster);
        await Eventually.TrueAsync(() => ReadLog(logA).Contains($"up {a.Interface} {vip}"), "slow upscript started", Short);
        var upStarted = Stopwatch.StartNew();
        // Had b won the start race, a preempts it and b yields on a's first advert.
        await Eventually.TrueAsync(() => LastState(carpB) == "BACKUP", "b BACKUP", Short);
        var fromB = carpB.LineCount;
        var watching = Stopwatch.StartNew();

        // ucarp blocks on its scripts (no adverts): a peer would take over after its master-down (3.195 s).
        await Eventually.TrueAsync(() => ReadLog(logA).Contains("up-done"), "slow upscript finished", TimeSpan.FromSeconds(8));
        var watched = watching.Elapsed;
        output.WriteLine($"upscript ran {Ms(upStarted.Elapsed)}; b watched for {Ms(watched)} (its master-down {Ms(MasterDown(50))}) and stayed BACKUP");

        Assert.True(watched > MasterDown(50) + TimeSpan.FromSeconds(0.5), $"watched only {watched}: the check proves nothing");
        Assert.Empty(LinesWith(carpB, MasterLine, fromB));
        Assert.Equal("BACKUP", LastState(carpB));
        Assert.Equal("MASTER", LastState(carpA));
        Assert.Equal(["a"], Holders(lab, vip));
    }

    /// <summary>
    /// Scripts that append "up|down &lt;args&gt;" to a log file and move the VIP like a ucarp setup; the upscript
    /// then sleeps <paramref name="sleepInUp"/> s and appends "up-done". Returns <c>-u up -d down</c> and the log path.
    /// </summary>
    private static (string[] Flags, string Log) LoggingScripts(NetworkLab lab, LabNode node, int sleepInUp)
    {
        var log = Path.Combine(lab.WorkDirectory, $"scripts-{node.Name}.log");
        var up = lab.WriteExecutable($"vip-up-{node.Name}.sh",
            $"#!/bin/sh\necho \"up $*\" >> {log}\nip addr add \"$2\"/32 dev \"$1\"\nsleep {sleepInUp}\necho up-done >> {log}\n");
        var down = lab.WriteExecutable($"vip-down-{node.Name}.sh",
            $"#!/bin/sh\necho \"down $*\" >> {log}\nip addr del \"$2\"/32 dev \"$1\" 2>/dev/null\nexit 0\n");
        return (["-u", up, "-d", down], log);
    }

    /// <summary>The script calls in the log, without the "up-done" markers.</summary>
    private static List<string> Calls(string path) => [.. ReadLog(path).Where(l => l != "up-done")];

    private static List<string> ReadLog(string path) =>
        File.Exists(path) ? [.. File.ReadAllLines(path).Where(l => l.Length > 0)] : [];
}
