using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Appliance.IntegrationTests.Lab;
using Appliance.Lab;
using Tmds.Linux;
using Xunit.Abstractions;
using static Appliance.IntegrationTests.Carp.CarpKit;

namespace Appliance.IntegrationTests.Carp;

/// <summary>
/// Unicast peers (docs/carp-protocol.md, 5.4 Unicast peers) on a segment that carries no multicast: every bridge port
/// has <c>mcast_flood off</c>, so no advert sent to 224.0.0.18 reaches anyone. Without <c>--peer</c> both nodes become
/// MASTER (the problem); with <c>--peer</c> pointing at each other they elect, fail over and preempt as in multicast
/// mode, and an advert from a third address is dropped as <c>notPeer</c>.
/// </summary>
[Collection(LabCollection.Name)]
public sealed partial class CarpUnicastTests(ITestOutputHelper output)
{
    private const int Vhid = 42;
    private const string Password = "secret";

    [Fact]
    public async Task NoMulticastFlood_WithoutPeers_BothNodesBecomeMaster()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var b = lab.AddNode("b");
        var vip = lab.AllocateAddress();
        SetMulticastFlood(lab, a, on: false);
        SetMulticastFlood(lab, b, on: false);

        var carpA = StartCarp(lab, a, [.. CommonArgs(a, vip, Vhid, Password, 0), "--manage-vip"]);
        var carpB = StartCarp(lab, b, [.. CommonArgs(b, vip, Vhid, Password, 50), "--manage-vip"]);
        await carpA.WaitForLineAsync(MasterLine, FirstMaster);
        await carpB.WaitForLineAsync(MasterLine, FirstMaster);
        // Past b's master-down once more: neither hears the other, so neither yields.
        await Task.Delay(MasterDown(50) + TimeSpan.FromSeconds(0.5));

        Assert.Equal("MASTER", LastState(carpA));
        Assert.Equal("MASTER", LastState(carpB));
        Assert.Equal(["a", "b"], Holders(lab, vip).Order(StringComparer.Ordinal));
        Assert.Equal(0L, (await ReadCountersAsync(carpB)).Received);
    }

    [Fact]
    public async Task NoMulticastFlood_PeersPointingAtEachOther_ElectFailOverPreemptAndDropAStranger()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var b = lab.AddNode("b");
        var x = lab.AddNode("x");
        var vip = lab.AllocateAddress();
        foreach (var node in new[] { a, b, x })
        {
            SetMulticastFlood(lab, node, on: false);
        }
        string[] ArgsA() => [.. CommonArgs(a, vip, Vhid, Password, 0), "--preempt", "--manage-vip", "--peer", b.Address.ToString()];
        string[] argsB = [.. CommonArgs(b, vip, Vhid, Password, 50), "--preempt", "--manage-vip", "--peer", a.Address.ToString()];

        var carpA = StartCarp(lab, a, ArgsA());
        var carpB = StartCarp(lab, b, argsB);
        await carpA.WaitForLineAsync(MasterLine, FirstMaster);
        await carpB.WaitForLineAsync(BackupLine, Short);
        await carpB.WaitForLineAsync($"adverts go to {a.Address} only", Short);
        // Longer than b's master-down since its start: b must be hearing a, not merely not timed out yet.
        await Task.Delay(MasterDown(50) + TimeSpan.FromSeconds(0.5));

        Assert.Equal("MASTER", LastState(carpA));
        Assert.Equal("BACKUP", LastState(carpB));
        Assert.Empty(LinesWith(carpB, MasterLine));
        Assert.Equal(["a"], Holders(lab, vip));
        var heardByB = await ReadCountersAsync(carpB);
        Assert.True(heardByB.Received >= 3, $"b should have heard a's unicast adverts: {heardByB.Line}");
        Assert.Empty(LinesWith(carpA, BadDigest).Concat(LinesWith(carpB, BadDigest)));

        // A third node with the right password sends a winning advert (advbase 0) straight to the master's address.
        using var injector = FrameInjector.Open(lab, x);
        var stranger = FrameInjector.Unicast(injector.Advert(Vhid, 0, 1, Password, vip), a);
        var before = await ReadCountersAsync(carpA);
        const int Forged = 3;
        for (var i = 0; i < Forged; i++)
        {
            injector.Send(stranger);
        }
        var notPeerLine = await carpA.WaitForLineAsync($"Ignoring advert from [{x.Address}]: not a configured peer", Short);
        var after = await ReadCountersAsync(carpA);
        output.WriteLine($"a after {Forged} forged unicast adverts from {x.Address}: {after.Line}");
        Assert.Contains("[WARNING]", notPeerLine, StringComparison.Ordinal);
        Assert.Equal(Forged, after.Drops.GetValueOrDefault("notPeer") - before.Drops.GetValueOrDefault("notPeer"));
        Assert.Equal("MASTER", LastState(carpA));
        Assert.Equal(["a"], Holders(lab, vip));

        // SIGKILL: no bow-out. b must take over at its master-down after a's last advert.
        var fromB = carpB.LineCount;
        var killedAt = DateTime.Now;
        carpA.Kill();
        var vipOnB = Eventually.TrueAsync(() => lab.HasAddress(b, vip), "VIP on b", MasterDown(50) + TimeSpan.FromSeconds(3));
        var masterB = await carpB.WaitForLineAsync(MasterLine, MasterDown(50) + TimeSpan.FromSeconds(3), fromB);
        var vipDelay = await vipOnB;
        var takeover = Stamp(masterB) - killedAt;
        output.WriteLine($"SIGKILL of master a -> b 'Switching to state: MASTER' after {Ms(takeover)}, VIP seen on b after {Ms(vipDelay)} (master-down {Ms(MasterDown(50))})");
        Assert.InRange(takeover, TimeSpan.Zero, MasterDown(50) + TimeSpan.FromSeconds(1));
        Assert.InRange(vipDelay, TimeSpan.Zero, MasterDown(50) + TimeSpan.FromSeconds(1));
        await carpA.WaitForExitAsync(Short);

        // a comes back with --preempt: it removes the stale VIP, hears b's unicast advert and takes the VIP back.
        var restartedAt = DateTime.Now;
        var fromB2 = carpB.LineCount;
        var carpA2 = StartCarp(lab, a, ArgsA());
        await carpA2.WaitForLineAsync("left configured by an earlier run", Short);
        var masterA = await carpA2.WaitForLineAsync(MasterLine, FirstMaster);
        await carpB.WaitForLineAsync(BackupLine, Short, fromB2);
        await carpB.WaitForLineAsync("Preferred master advertised: going back to BACKUP state", Short, fromB2);
        await Eventually.TrueAsync(() => !lab.HasAddress(b, vip), "VIP gone from b", Short);
        output.WriteLine($"restart of a -> a 'Switching to state: MASTER' (preemption) after {Ms(Stamp(masterA) - restartedAt)} (includes the dotnet start)");
        Assert.Equal(["a"], Holders(lab, vip));
        Assert.Equal("MASTER", LastState(carpA2));
        Assert.Equal("BACKUP", LastState(carpB));
        Assert.Empty(LinesWith(carpA2, BadDigest).Concat(LinesWith(carpB, BadDigest)));
        Assert.Empty(LinesWith(carpA2, "Replayed advert").Concat(LinesWith(carpB, "Replayed advert")));
    }

    [Fact]
    public async Task Peers_SrcipNotOnTheInterface_RefusesToStartNamingIt()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var b = lab.AddNode("b");
        var vip = lab.AllocateAddress();
        var elsewhere = lab.AllocateAddress();

        var carp = StartCarp(lab, a, ["-i", a.Interface, "-s", elsewhere.ToString(), "-v", "42", "-p", Password, "-a", vip.ToString(), "--peer", b.Address.ToString()]);

        Assert.Equal(1, await carp.WaitForExitAsync(FirstMaster));
        Assert.Contains($"bind to srcip {elsewhere} (with unicast peers srcip must be an address of {a.Interface}) failed: Cannot assign requested address", carp.Output, StringComparison.Ordinal);
    }

    /// <summary>SIGUSR1's counters line of the VHID: adverts received and the drops by reason.</summary>
    private static async Task<(long Received, Dictionary<string, long> Drops, string Line)> ReadCountersAsync(LabProcess carp)
    {
        var from = carp.LineCount;
        carp.Kill(LibC.SIGUSR1);
        var line = await carp.WaitForLineAsync(l => l.Contains($" id {Vhid}: adverts sent ", StringComparison.Ordinal), Short, from);
        var match = CountersLine().Match(line);
        Assert.True(match.Success, line);
        var drops = match.Groups["pair"].Captures
            .Select(p => p.Value.Split('='))
            .ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture));
        return (long.Parse(match.Groups["received"].Value, CultureInfo.InvariantCulture), drops, line);
    }

    [GeneratedRegex(@"received (?<received>\d+); drops(?: none| (?<pair>\w+=\d+))+$")]
    private static partial Regex CountersLine();
}
