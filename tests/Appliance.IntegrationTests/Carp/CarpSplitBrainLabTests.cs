using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Appliance.IntegrationTests.Lab;
using Appliance.Lab;
using Xunit.Abstractions;
using static Appliance.IntegrationTests.Carp.CarpKit;

namespace Appliance.IntegrationTests.Carp;

/// <summary>
/// Split brain (docs/carp-protocol.md, 6.12) on a real segment: a partition with carrier up makes both nodes MASTER,
/// a client on the loser's side caches the loser's MAC for the VIP, and on the heal the winner keeps the VIP,
/// re-announces (gratuitous ARP, upscript once) and the client follows it.
/// </summary>
[Collection(LabCollection.Name)]
public sealed partial class CarpSplitBrainLabTests(ITestOutputHelper output)
{
    private const byte Vhid = 12;
    private const string Password = "split-pw";

    /// <summary>advbase 1, advskew 0: the winner advertises every second (docs/carp-protocol.md, 4.1).</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Slack over the bounds: the heal timer starts before the <c>bridge</c> command (a process start) and each
    /// poll spawns <c>ip</c> processes every 20 ms, so an event is seen some tens of ms late on this 2-core machine;
    /// 250 ms covers that with room, and is still a quarter of an interval, far below the next advert.
    /// </summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task SplitBrainLab_PartitionedWinnerHeals_OneHolderInTwoIntervals_ClientFollowsInOne_UpscriptOnceMore()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var b = lab.AddNode("b");
        var client = lab.AddClient();
        var vip = lab.AllocateAddress();
        var (scriptsA, logA) = CountingScripts(lab, a);
        var (scriptsB, logB) = CountingScripts(lab, b);

        var carpA = StartCarp(lab, a, [.. CommonArgs(a, vip, Vhid, Password, 0), "--manage-vip", .. scriptsA]);
        await carpA.WaitForLineAsync(MasterLine, FirstMaster);
        var carpB = StartCarp(lab, b, [.. CommonArgs(b, vip, Vhid, Password, 100), "--manage-vip", .. scriptsB]);
        await carpB.WaitForLineAsync(BackupLine, Short);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.True(Ping(lab, client, vip), "client reaches the VIP before the partition");
        Assert.Equal(a.Mac, NeighbourMac(lab, client, vip));

        // The winner a is cut off (carrier stays up): b, the client's side, times out and takes the VIP too, and
        // the client, which now reaches only b, caches b's MAC for the VIP.
        var fromA = carpA.LineCount;
        var fromB = carpB.LineCount;
        SetPortState(lab, a, 0);
        try
        {
            await carpB.WaitForLineAsync(MasterLine, MasterDown(100) + TimeSpan.FromSeconds(3), fromB);
            await Eventually.TrueAsync(() => lab.HasAddress(b, vip), "VIP added by b", Short);
            // A partition that lasts: b advertises its own sequence for a while (a keeps advertising into the void).
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.True(Ping(lab, client, vip), "client reaches the VIP on b during the partition");
            Assert.Equal(b.Mac, NeighbourMac(lab, client, vip));
            Assert.Equal("MASTER", LastState(carpA));
            Assert.Equal("MASTER", LastState(carpB));
            Assert.Equal(["a", "b"], Holders(lab, vip));
            var upsA = Runs(logA, "up");
            var downsB = Runs(logB, "down");
            Assert.Equal(1, upsA);

            var healedAt = DateTime.Now;
            var sinceHeal = Stopwatch.StartNew();
            SetPortState(lab, a, 3);
            var oneHolder = PollSince(sinceHeal, () => Holders(lab, vip).SequenceEqual(["a"]), "a the only holder of the VIP");
            var clientFollowed = PollSince(sinceHeal, () => NeighbourMac(lab, client, vip) == a.Mac, "the client's neighbour entry on a's MAC");
            var toOneHolder = await oneHolder;
            var toClient = await clientFollowed;
            var yielded = await carpB.WaitForLineAsync(BackupLine, Short, fromB);
            output.WriteLine($"heal to one holder {Ms(toOneHolder)}, heal to the client's neighbour entry on a's MAC {Ms(toClient)}; " +
                $"b's BACKUP line {Ms(Stamp(yielded) - healedAt)} after the heal (poll clock at {Ms(sinceHeal.Elapsed)})");

            // Both report the episode: the loser yields and resolves at once, the winner resolves once the loser has
            // been quiet for its master-down (docs/carp-protocol.md, 6.12).
            var seenB = await carpB.WaitForLineAsync($"split brain: another MASTER ({a.Address}) seen", Short, fromB);
            var resolvedB = await carpB.WaitForLineAsync($"split brain: another MASTER ({a.Address}) seen; resolved", Short, fromB);
            var seenA = await carpA.WaitForLineAsync($"split brain: another MASTER ({b.Address}) seen", Short, fromA);
            var resolvedA = await carpA.WaitForLineAsync($"split brain: another MASTER ({b.Address}) seen; resolved", MasterDown(0) + Short, fromA);
            output.WriteLine($"a: {seenA}\na: {resolvedA}\nb: {seenB}\nb: {resolvedB}");
            output.WriteLine($"a resolved {Ms(Stamp(resolvedA) - healedAt)} after the heal");
            output.WriteLine("a since the partition:\n  " + string.Join("\n  ", carpA.Lines.Skip(fromA)));
            output.WriteLine("b since the partition:\n  " + string.Join("\n  ", carpB.Lines.Skip(fromB)));

            Assert.InRange(toOneHolder, TimeSpan.Zero, 2 * Interval + Slack);
            Assert.InRange(toClient, TimeSpan.Zero, Interval + Slack);
            // The winner's upscript ran once more for the episode (checked after it resolved, so a second run for a
            // later advert of the same episode would have shown); the loser's downscript ran on yielding.
            await Eventually.TrueAsync(() => Runs(logB, "down") == downsB + 1, "b's downscript", Short);
            Assert.Equal(upsA + 1, Runs(logA, "up"));
            Assert.Equal(downsB + 1, Runs(logB, "down"));
            Assert.Equal(1, Runs(logA, "down")); // the one at start
            Assert.Equal("MASTER", LastState(carpA));
            Assert.Equal("BACKUP", LastState(carpB));
            Assert.Empty(LinesWith(carpA, BackupLine, fromA));
            Assert.Equal(["a"], Holders(lab, vip));
            Assert.Equal(a.Mac, NeighbourMac(lab, client, vip));
        }
        finally
        {
            SetPortState(lab, a, 3);
        }
    }

    /// <summary>
    /// Polls <paramref name="condition"/> on a thread of its own every 10 ms (at most 1000 times, 10 s) and returns
    /// <paramref name="clock"/>'s reading when a check that found it true ended. Not on the thread pool: each check
    /// blocks on <c>ip</c> processes, and two blocked pollers on this 2-core machine's pool stalled the processes'
    /// output reads, so conditions were seen ~350 ms late.
    /// </summary>
    private static Task<TimeSpan> PollSince(Stopwatch clock, Func<bool> condition, string what) =>
        Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < 1000 && clock.Elapsed < TimeSpan.FromSeconds(10); i++)
            {
                if (condition())
                {
                    return clock.Elapsed;
                }
                Thread.Sleep(TimeSpan.FromMilliseconds(10));
            }
            throw new TimeoutException($"{what}: not within {Ms(clock.Elapsed)} of the heal");
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Scripts that only append "up|down &lt;args&gt;" to a log, one line per run (the engine owns the VIP with
    /// <c>--manage-vip</c>); returns <c>-u up -d down</c> and the log path.
    /// </summary>
    private static (string[] Flags, string Log) CountingScripts(NetworkLab lab, LabNode node)
    {
        var log = Path.Combine(lab.WorkDirectory, $"runs-{node.Name}.log");
        var up = lab.WriteExecutable($"count-up-{node.Name}.sh", $"#!/bin/sh\necho \"up $*\" >> {log}\n");
        var down = lab.WriteExecutable($"count-down-{node.Name}.sh", $"#!/bin/sh\necho \"down $*\" >> {log}\n");
        return (["-u", up, "-d", down], log);
    }

    private static int Runs(string log, string kind) =>
        File.Exists(log) ? File.ReadAllLines(log).Count(l => l.StartsWith(kind + " ", StringComparison.Ordinal)) : 0;

    private static bool Ping(NetworkLab lab, LabNode from, IPAddress to) =>
        lab.Run(from, TimeSpan.FromSeconds(5), "ping", "-n", "-c", "1", "-W", "2", to.ToString()).Succeeded;

    /// <summary>The MAC of the client's neighbour entry for <paramref name="address"/> (<c>ip neigh show</c>), or null.</summary>
    private static string? NeighbourMac(NetworkLab lab, LabNode node, IPAddress address)
    {
        var shown = lab.Run(node, "ip", "neigh", "show", address.ToString(), "dev", node.Interface);
        var mac = LinkLayerAddress().Match(shown.StdOut);
        return mac.Success ? mac.Groups[1].Value : null;
    }

    [GeneratedRegex("lladdr ([0-9a-f]{2}(?::[0-9a-f]{2}){5})")]
    private static partial Regex LinkLayerAddress();
}
