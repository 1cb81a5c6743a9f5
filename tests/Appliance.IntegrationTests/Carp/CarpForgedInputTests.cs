using System.Net;
using Appliance.IntegrationTests.Lab;
using Appliance.Lab;
using Xunit.Abstractions;
using static Appliance.IntegrationTests.Carp.CarpKit;

namespace Appliance.IntegrationTests.Carp;

/// <summary>Forged adverts injected from a third namespace through AF_PACKET must not move a MASTER; a valid one must.</summary>
[Collection(LabCollection.Name)]
public sealed class CarpForgedInputTests(ITestOutputHelper output)
{
    private const byte Vhid = 9;
    private const string Password = "pw123";
    private static readonly TimeSpan DropLogged = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task ForgedAdverts_EachCorruption_DroppedWithReasonAndOnlyValidAdvertMakesMasterYield()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var x = lab.AddNode("x");
        var vip = lab.AllocateAddress();
        using var injector = FrameInjector.Open(lab, x);

        // -D: the wrong-vhid drop is a debug line, as in ucarp.
        var carp = StartCarp(lab, a, [.. CommonArgs(a, vip, Vhid, Password, 100), "--manage-vip", "-D"]);
        await carp.WaitForLineAsync(MasterLine, FirstMaster);
        var fromLine = carp.LineCount;

        // Every forgery starts as an advert that would win (advbase 1, advskew 0 beats our skew 100).
        byte[] Winning() => injector.Advert(Vhid, 1, 0, Password, vip);

        var wrongKey = injector.Advert(Vhid, 1, 0, "not-pw123", vip);
        await InjectAsync(injector, carp, "wrong password", wrongKey, "Bad digest - md2=[", fromLine);

        var badChecksum = Winning();
        badChecksum[FrameInjector.Carp + 7] ^= 0x5A;
        await InjectAsync(injector, carp, "bad CARP checksum", badChecksum, "[WARNING] Bad IP checksum", fromLine);

        var ttl64 = Winning();
        ttl64[FrameInjector.Ip + 8] = 64;
        FrameInjector.FixIpChecksum(ttl64);
        await InjectAsync(injector, carp, "TTL 64", ttl64, "[WARNING] Bad TTL: [64]", fromLine);

        var version3 = Winning();
        version3[FrameInjector.Carp] = 0x31;
        FrameInjector.FixCarpChecksum(version3);
        await InjectAsync(injector, carp, "version 3", version3, "[WARNING] Bad version: [3]", fromLine);

        var vhid10 = injector.Advert(10, 1, 0, Password, vip);
        await InjectAsync(injector, carp, "vhid 10", vhid10, "[DEBUG] Ignoring vhid: [10]", fromLine);

        // Give the engine time to (wrongly) act on anything.
        await Task.Delay(TimeSpan.FromSeconds(0.5));
        Assert.Empty(LinesWith(carp, BackupLine, fromLine));
        Assert.Empty(LinesWith(carp, "Preferred master advertised", fromLine));
        Assert.Equal("MASTER", LastState(carp));
        Assert.True(lab.HasAddress(a, vip));

        // Positive control: the same advert, valid, makes the MASTER yield at once.
        var sentAt = DateTime.Now;
        injector.Send(Winning());
        var backup = await carp.WaitForLineAsync(BackupLine, DropLogged, fromLine);
        await carp.WaitForLineAsync("Preferred master advertised: going back to BACKUP state", DropLogged, fromLine);
        output.WriteLine($"valid advskew-0 advert -> 'Switching to state: BACKUP' after {Ms(Stamp(backup) - sentAt)}");
        await Eventually.TrueAsync(() => !lab.HasAddress(a, vip), "VIP released by a", Short);
    }

    [Fact]
    public async Task ForgedAdverts_Truncated_DroppedSilentlyLikeUcarpAndNoTransition()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var x = lab.AddNode("x");
        var vip = lab.AllocateAddress();
        using var injector = FrameInjector.Open(lab, x);
        var carp = StartCarp(lab, a, [.. CommonArgs(a, vip, Vhid, Password, 100), "--manage-vip"]);
        await carp.WaitForLineAsync(MasterLine, FirstMaster);
        var fromLine = carp.LineCount;

        // Cut-down copies of a winning advert: 40 and 55 bytes of IP (20 header + 20 or 35 of the 36 CARP
        // bytes), the IP total length and header checksum consistent so the kernel hands them up.
        foreach (var ipLength in new[] { 40, 55 })
        {
            var truncated = injector.Advert(Vhid, 1, 0, Password, vip)[..(FrameInjector.Ip + ipLength)];
            truncated[FrameInjector.Ip + 2] = 0;
            truncated[FrameInjector.Ip + 3] = (byte)ipLength;
            FrameInjector.FixIpChecksum(truncated);
            injector.Send(truncated);
            injector.Send(truncated);
        }

        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var afterTruncated = carp.Lines.Skip(fromLine).ToList();
        output.WriteLine("lines after the truncated frames: " + string.Join(" | ", afterTruncated));
        Assert.Empty(LinesWith(carp, BackupLine, fromLine));
        Assert.Equal("MASTER", LastState(carp));

        // Positive control: the full advert is accepted and wins.
        injector.Send(injector.Advert(Vhid, 1, 0, Password, vip));
        await carp.WaitForLineAsync(BackupLine, DropLogged, fromLine);

        // ucarp ignores frames shorter than 14+20+36 bytes without a word (docs/carp-protocol.md, 5.1 check 1): a drop-in
        // must not add a WARNING line per packet (anyone on the segment could flood the log with them).
        Assert.DoesNotContain(afterTruncated, l => l.Contains("[WARNING]", StringComparison.Ordinal) || l.Contains("[ERROR]", StringComparison.Ordinal));
    }

    private async Task InjectAsync(FrameInjector injector, LabProcess carp, string what, byte[] frame, string expected, int fromLine)
    {
        var before = carp.LineCount;
        injector.Send(frame);
        injector.Send(frame);
        var line = await carp.WaitForLineAsync(expected, DropLogged, before);
        output.WriteLine($"{what}: {line}");
        // Two frames, two lines: each packet is looked at and dropped on its own.
        await Eventually.TrueAsync(() => LinesWith(carp, expected, before).Count >= 2, $"second '{expected}'", DropLogged);
        Assert.Empty(LinesWith(carp, BackupLine, fromLine));
    }
}
