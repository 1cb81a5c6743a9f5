using System.Diagnostics;
using Appliance.IntegrationTests.Lab;
using Appliance.Lab;
using Xunit.Abstractions;
using static Appliance.IntegrationTests.Carp.CarpKit;

namespace Appliance.IntegrationTests.Carp;

/// <summary>
/// Flap damping (docs/carp-protocol.md, 6.13) on a real segment: the preferred, preempting node's cable is pulled
/// and plugged every second until its penalty passes the suppress threshold; from then on it holds BACKUP under the
/// less preferred master instead of preempting back, and once the flapping has stopped and the penalty has decayed
/// (a 3 s half-life, set with <c>--flap-halflife</c>) it is released and preempts at the master's next advert.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class CarpFlapDampingLabTests(ITestOutputHelper output)
{
    private const byte Vhid = 31;
    private const string Password = "flap-pw";
    private const string Suppressed = "flapping suppressed:";
    private const string Released = "flapping released";
    private const string HeldBack = "Not preempting the less preferred master";

    /// <summary>At most this many pull/plug cycles (the penalty passes 3000 in the second or third).</summary>
    private const int MaxCycles = 8;

    /// <summary>Each half of a cycle: longer than b's master-down (352 ms), so b has taken over before a returns.</summary>
    private static readonly TimeSpan Half = TimeSpan.FromSeconds(1);

    /// <summary>
    /// b's advert interval, advbase 0 and advskew 30: 30/256 s (docs/carp-protocol.md, 4.1). Held BACKUP, a waits its own
    /// master-down (3 x 78 ms = 234 ms) between b's adverts: two of b's intervals. With advskew 50 (195 ms) the margin was
    /// 39 ms, and on this loaded 2-core machine one late advert made a time out and take over (6.13).
    /// </summary>
    private static readonly TimeSpan IntervalB = TimeSpan.FromMicroseconds(117_187);

    /// <summary>Slack for a log line's way through the process's output pipe and the 2-core machine's scheduling.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task FlapDampingLab_FlappingCable_SuppressedHoldsBackup_ReleasedAfterDecay_PreemptsBack()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var b = lab.AddNode("b");
        var vip = lab.AllocateAddress();
        var clock = Stopwatch.StartNew();

        // a: preferred (advskew 20, 78 ms adverts), preempting, penalty half-life 3 s; b: advskew 30, the defaults.
        var carpA = StartCarp(lab, a, [.. SubSecond(CommonArgs(a, vip, Vhid, Password, 20)), "-P", "--flap-halflife", "3"]);
        await carpA.WaitForLineAsync(MasterLine, FirstMaster);
        var carpB = StartCarp(lab, b, [.. SubSecond(CommonArgs(b, vip, Vhid, Password, 30))]);
        await carpB.WaitForLineAsync(BackupLine, FirstMaster);
        // a's own start (its master-down takeover) counted 1000: let it decay for 3 s (to 500 or less), so that a is
        // suppressed at its second preempt or third pull, never earlier, and b (four transitions by then) before it.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal("MASTER", LastState(carpA));

        var fromA = carpA.LineCount;
        var fromB = carpB.LineCount;
        var cycles = 0;
        var cablePlugged = true;
        try
        {
            // Flap until a is suppressed: pull (a BACKUP, b times out and takes over), plug (a preempts b). Stop at the
            // half-cycle that suppressed it, so that the cable is still out if it was the pull.
            bool IsSuppressed() => IndexOf(carpA, Suppressed, fromA) >= 0;
            while (cycles < MaxCycles)
            {
                cycles++;
                lab.SetLinkUp(a, false);
                cablePlugged = false;
                await Task.Delay(Half);
                Assert.Equal("MASTER", LastState(carpB));
                if (IsSuppressed())
                {
                    break;
                }
                lab.SetLinkUp(a, true);
                cablePlugged = true;
                await Task.Delay(Half);
                if (IsSuppressed())
                {
                    break;
                }
            }
            var suppressedAt = IndexOf(carpA, Suppressed, fromA);
            Assert.True(suppressedAt >= 0, $"a not suppressed after {cycles} cycles:\n  " + string.Join("\n  ", carpA.Lines.Skip(fromA)));
            output.WriteLine($"a after {cycles} cycles: {carpA.Lines[suppressedAt]}");

            // Suppressed at a preempt (a MASTER, cable in): one more pull, which still forces BACKUP, and b takes over.
            if (cablePlugged)
            {
                Assert.Equal("MASTER", LastState(carpA));
                lab.SetLinkUp(a, false);
                cablePlugged = false;
                await carpA.WaitForLineAsync(BackupLine, Short, suppressedAt);
                await Task.Delay(Half);
            }
            Assert.Equal("BACKUP", LastState(carpA));
            Assert.Equal("MASTER", LastState(carpB));

            // Held: the cable is back, a hears b (worse) and does not preempt until the penalty has decayed.
            var heldFrom = carpA.LineCount;
            var heldFromB = carpB.LineCount;
            var pluggedAt = DateTime.Now;
            lab.SetLinkUp(a, true);
            cablePlugged = true;
            var heldBack = await carpA.WaitForLineAsync(HeldBack, Short, heldFrom);
            var released = await carpA.WaitForLineAsync(Released, TimeSpan.FromSeconds(20), heldFrom);
            var preempted = await carpA.WaitForLineAsync(MasterLine, Short, heldFrom);
            var releasedAt = Stamp(released);
            output.WriteLine($"a: {heldBack}\na: {released}\na: {preempted}");
            output.WriteLine($"held BACKUP {Ms(releasedAt - pluggedAt)} after the last plug; MASTER {Ms(Stamp(preempted) - releasedAt)} after the release");
            output.WriteLine("a since the flapping began:\n  " + string.Join("\n  ", carpA.Lines.Skip(fromA)));
            output.WriteLine("b since the flapping began:\n  " + string.Join("\n  ", carpB.Lines.Skip(fromB)));

            // The hold lasted: no MASTER line of a from the plug until the release, and the decay took seconds.
            var heldLines = carpA.Lines.Skip(heldFrom).TakeWhile(l => !l.Contains(Released, StringComparison.Ordinal)).ToList();
            Assert.DoesNotContain(heldLines, l => l.Contains(MasterLine, StringComparison.Ordinal));
            Assert.True(releasedAt - pluggedAt > TimeSpan.FromSeconds(1), $"released {Ms(releasedAt - pluggedAt)} after the plug");
            // Released, a preempts at b's next advert, and b yields to it: b's first BACKUP line since the plug.
            Assert.InRange(Stamp(preempted) - releasedAt, TimeSpan.Zero, IntervalB + Slack);
            var yielded = await carpB.WaitForLineAsync(BackupLine, Short, heldFromB);
            Assert.True(Stamp(yielded) >= Stamp(preempted), $"b yielded at {yielded}, before a preempted at {preempted}");

            // b flapped too (MASTER at every pull, BACKUP at every preempt) and was suppressed: it has no preempt to hold
            // back, and master-down takeovers still happen while suppressed, so b took over at a's pulls after it.
            var bSuppressed = IndexOf(carpB, Suppressed, fromB);
            Assert.True(bSuppressed >= 0, "b suppressed");
            Assert.NotEmpty(LinesWith(carpB, MasterLine, bSuppressed));
            output.WriteLine($"b: {carpB.Lines[bSuppressed]}");
            output.WriteLine($"test took {Ms(clock.Elapsed)}");
        }
        finally
        {
            if (!cablePlugged)
            {
                lab.SetLinkUp(a, true);
            }
        }
    }

    /// <summary>The common flags with advbase 0 (sub-second adverts) instead of 1.</summary>
    private static List<string> SubSecond(List<string> args)
    {
        args[args.IndexOf("-b") + 1] = "0";
        return args;
    }
}
