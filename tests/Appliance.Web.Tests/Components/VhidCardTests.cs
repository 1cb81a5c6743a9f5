using Appliance.Web.Components.Controls;
using Appliance.Web.Services;
using Bunit;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Tests.Components;

/// <summary>The board's card for one VHID, rendered alone: state, peer, health, demotion and maintenance.</summary>
public sealed class VhidCardTests : BunitContext
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly IReadOnlyDictionary<string, long> NoDrops = new Dictionary<string, long> { ["badTtl"] = 0, ["badDigest"] = 0 };

    private static VhidStatusDto Status(
        string state = "MASTER",
        int? id = 3,
        PeerDto? peer = null,
        bool maintenance = false,
        string? demotion = null,
        string? message = null,
        IReadOnlyDictionary<string, long>? drops = null,
        bool carrier = true,
        params CheckStatusDto[] checks) =>
        new(
            Key: "eth0/7",
            Id: id,
            Interface: "eth0",
            Vhid: 7,
            Vip: "198.18.7.1",
            State: state,
            Since: Now - TimeSpan.FromSeconds(75),
            LastPeer: peer,
            Counters: new CountersDto(AdvertsSent: 42, AdvertsReceived: 5, drops ?? NoDrops),
            Maintenance: maintenance,
            Demotion: demotion,
            Message: message,
            AdvertIntervalMs: 1000,
            MasterDownMs: 3390.625,
            Checks: checks,
            Carrier: carrier);

    private static CheckStatusDto Check(string name, bool healthy, int failures = 0, string? reason = null) =>
        new(name, "http", "http://127.0.0.1/", healthy, healthy ? "GET returned 200" : "GET returned 503", Now - TimeSpan.FromSeconds(4), healthy ? 3 : 0, failures, reason);

    private IRenderedComponent<VhidCard> RenderCard(VhidStatusDto status, bool busy = false, Action<bool>? onMaintenance = null, bool canChange = true) =>
        Render<VhidCard>(p => p
            .Add(c => c.CanChange, canChange)
            .Add(c => c.Status, status)
            .Add(c => c.PrefixLength, 24)
            .Add(c => c.Now, Now)
            .Add(c => c.Zone, TimeZoneInfo.Utc)
            .Add(c => c.Busy, busy)
            .Add(c => c.OnMaintenanceChanged, EventCallback.Factory.Create<bool>(this, onMaintenance ?? (_ => { }))));

    [Fact]
    public void Unicast_PeersAndTheUcarpNoteShown_MulticastCardHasNoSuchRow()
    {
        var unicast = Status() with { Unicast = new UnicastDto(["198.18.7.2"], StatusText.UnicastNote(new([System.Net.IPAddress.Parse("198.18.7.2")]))) };

        var row = RenderCard(unicast).Find("[data-testid=vhid-unicast]");

        Assert.Contains("198.18.7.2", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("A ucarp peer cannot take part: ucarp accepts only adverts sent to 224.0.0.18.", row.TextContent, StringComparison.Ordinal);
        Assert.Empty(RenderCard(Status()).FindAll("[data-testid=vhid-unicast]"));
    }

    [Theory]
    [InlineData("MASTER", "state-master")]
    [InlineData("BACKUP", "state-backup")]
    [InlineData("INIT", "state-init")]
    public void State_EachState_BadgeAndCardClass(string state, string cssClass)
    {
        var card = RenderCard(Status(state));

        Assert.Contains(cssClass, card.Find("[data-testid=vhid-card]").ClassList);
        Assert.Equal(state, card.Find(".badge").TextContent);
        Assert.Equal("198.18.7.1/24", card.Find(".vip").TextContent);
        Assert.Equal("1 min 15 s", card.Find("[data-testid=time-in-state]").FirstChild!.TextContent.Trim());
    }

    [Fact]
    public void Peer_Heard_ShowsSourceTimingAndAge()
    {
        var card = RenderCard(Status("BACKUP", peer: new PeerDto("198.18.0.2", AdvBase: 1, AdvSkew: 0, HeardAt: Now - TimeSpan.FromSeconds(2))));

        var peer = PeerLine(card);
        Assert.Contains("198.18.0.2", peer, StringComparison.Ordinal);
        Assert.Contains("advbase 1, advskew 0 · heard 2 s ago", peer, StringComparison.Ordinal);
    }

    [Fact]
    public void Peer_ConstantCounterWithDemotion_ShowsBothAndReplayDrops()
    {
        var card = RenderCard(Status("BACKUP", peer: new PeerDto("198.18.0.2", 1, 0, Now - TimeSpan.FromSeconds(1), Demotion: 2, CounterMode: "constant"),
            drops: new Dictionary<string, long> { ["replay"] = 5 }));

        Assert.Contains("advbase 1, advskew 0, demotion 2 · heard 1 s ago", PeerLine(card), StringComparison.Ordinal);
        Assert.StartsWith("counter constant (OpenBSD cookie", card.Find("[data-testid=peer-counter]").TextContent, StringComparison.Ordinal);
        Assert.Equal("replay 5", Assert.Single(card.FindAll(".chip-warn")).TextContent);
    }

    [Fact]
    public void Carrier_Lost_NoCarrierBadgeNextToTheState()
    {
        var card = RenderCard(Status("BACKUP", carrier: false));

        var badge = card.Find("[data-testid=no-carrier]");
        Assert.Equal("no carrier", badge.TextContent);
        Assert.Contains("eth0 has no carrier", badge.GetAttribute("title"), StringComparison.Ordinal);
        Assert.Equal("BACKUP", card.Find("[data-state]").TextContent);
    }

    [Fact]
    public void Carrier_Up_NoBadge()
    {
        var card = RenderCard(Status("BACKUP"));

        Assert.Empty(card.FindAll("[data-testid=no-carrier]"));
    }

    [Fact]
    public void Peer_NoneHeardAsBackup_SaysSo()
    {
        var card = RenderCard(Status("BACKUP"));

        Assert.Equal("none heard", PeerLine(card));
    }

    [Fact]
    public void Peer_MasterHearingNobody_SaysBackupsAreSilent()
    {
        var card = RenderCard(Status("MASTER"));

        Assert.Equal("backups are silent while this node is MASTER", PeerLine(card));
    }

    [Fact]
    public void Peer_MasterWithAnOldPeer_SilentBackupsThenTheLastAdvertNotAWarning()
    {
        // The peer advertised before this node took over (it was MASTER then), 31 s ago.
        var card = RenderCard(Status("MASTER", peer: new PeerDto("198.18.0.2", AdvBase: 1, AdvSkew: 100, HeardAt: Now - TimeSpan.FromSeconds(31))));

        Assert.Equal("backups are silent while this node is MASTER · last advert heard from 198.18.0.2 (advbase 1, advskew 100) 31 s ago", PeerLine(card));
        Assert.Empty(card.FindAll("[data-testid=peer-heard]"));
        Assert.Empty(card.FindAll(".warn-text"));
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    [InlineData(31, true)]
    public void Peer_BackupHeardLongerAgoThanMasterDown_Flagged(int secondsAgo, bool overdue)
    {
        // Master-down is 3390.625 ms.
        var card = RenderCard(Status("BACKUP", peer: new PeerDto("198.18.0.2", AdvBase: 1, AdvSkew: 0, HeardAt: Now - TimeSpan.FromSeconds(secondsAgo))));

        var heard = card.Find("[data-testid=peer-heard]");
        Assert.Equal($"heard {secondsAgo} s ago", heard.TextContent);
        Assert.Equal(overdue, heard.ClassList.Contains("warn-text"));
        Assert.Equal(overdue ? "true" : "false", heard.GetAttribute("data-overdue"));
        Assert.Equal(overdue, heard.GetAttribute("title")?.Contains("longer than master-down (3.391 s)", StringComparison.Ordinal) ?? false);
    }

    [Fact]
    public void Counters_DropsAboveZero_OnlyThoseShown()
    {
        var card = RenderCard(Status(drops: new Dictionary<string, long> { ["badTtl"] = 0, ["badDigest"] = 3 }));

        Assert.Equal("42", card.Find("[data-testid=adverts-sent]").TextContent);
        Assert.Equal("bad digest (password) 3", Assert.Single(card.FindAll(".chip-warn")).TextContent);
    }

    [Fact]
    public void Health_OneFailingCheck_DemotionSentenceAndDots()
    {
        var card = RenderCard(Status("MASTER", checks:
        [
            Check("web", healthy: false, failures: 3, reason: "HTTP check web: GET http://127.0.0.1/ returned 503 (3 failures in a row)"),
            Check("disk", healthy: true, failures: 1),
        ]));

        var demotion = card.Find("[data-testid=vhid-demotion]");
        Assert.Contains("Demoted: HTTP check web: GET http://127.0.0.1/ returned 503 (3 failures in a row)", demotion.TextContent, StringComparison.Ordinal);
        Assert.Contains("Still MASTER: waiting for a peer to take over.", demotion.TextContent, StringComparison.Ordinal);
        Assert.Contains("1 of 2 healthy", card.Find(".health-title").TextContent, StringComparison.Ordinal);
        var web = card.Find("[data-check=web]");
        Assert.Equal("false", web.GetAttribute("data-healthy"));
        Assert.Contains("dot-failed", web.QuerySelector(".dot")!.ClassList);
        // Healthy after rise/fall, but the last run failed: amber, not green.
        Assert.Contains("dot-warn", card.Find("[data-check=disk] .dot").ClassList);
        Assert.Empty(card.FindAll("[data-testid=vhid-message]"));
    }

    [Fact]
    public void Flapping_Suppressed_LineWithSinceAndPenalty_NoneOtherwise()
    {
        var suppressed = Status("BACKUP") with { Flapping = new FlappingDto(true, Now - TimeSpan.FromSeconds(30), 3210.4) };
        var line = RenderCard(suppressed).Find("[data-testid=vhid-flapping]").TextContent;
        Assert.Equal("Flapping suppressed since 11:59:30: penalty 3210; holding BACKUP, not preempting until the penalty decays.",
            string.Join(' ', line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));

        Assert.Empty(RenderCard(Status("BACKUP") with { Flapping = new FlappingDto(false, null, 1500) }).FindAll("[data-testid=vhid-flapping]"));
        Assert.Empty(RenderCard(Status("BACKUP")).FindAll("[data-testid=vhid-flapping]"));
    }

    [Fact]
    public void Demotion_FromMaintenanceWithoutChecks_EngineTextShown()
    {
        var card = RenderCard(Status("BACKUP", maintenance: true, demotion: "maintenance"));

        var demotion = card.Find("[data-testid=vhid-demotion]");
        Assert.Contains("Demoted: maintenance", demotion.TextContent, StringComparison.Ordinal);
        Assert.Contains("Maintenance is on as well.", demotion.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Still MASTER", demotion.TextContent, StringComparison.Ordinal);
        Assert.Empty(card.FindAll("[data-testid=health]"));
    }

    [Fact]
    public void Message_WithoutDemotion_Shown()
    {
        var card = RenderCard(Status("MASTER", message: "maintenance: waiting for a peer to take over"));

        Assert.Equal("maintenance: waiting for a peer to take over", card.Find("[data-testid=vhid-message]").TextContent);
        Assert.Empty(card.FindAll("[data-testid=vhid-demotion]"));
    }

    [Fact]
    public void Maintenance_Toggled_RaisesTheNewValue()
    {
        var raised = new List<bool>();
        var card = RenderCard(Status("MASTER"), onMaintenance: raised.Add);
        var toggle = card.Find("[data-testid=maintenance-toggle]");
        Assert.False(toggle.HasAttribute("checked"));

        toggle.Change(new ChangeEventArgs { Value = true });

        Assert.Equal([true], raised);
    }

    [Fact]
    public void Maintenance_OnAndBusy_CheckedAndDisabled()
    {
        var card = RenderCard(Status("BACKUP", maintenance: true), busy: true);

        var toggle = card.Find("[data-testid=maintenance-toggle]");
        Assert.True(toggle.HasAttribute("checked"));
        Assert.True(toggle.HasAttribute("disabled"));
    }

    [Fact]
    public void NotStored_NoToggleNoEditLink()
    {
        var card = RenderCard(Status("BACKUP", id: null));

        Assert.Empty(card.FindAll("[data-testid=maintenance-toggle]"));
        Assert.Empty(card.FindAll("a[href^='/vhids/']"));
        Assert.Equal("not in the stored configuration", card.Find(".card-foot .muted").TextContent);
    }

    [Fact]
    public void Stored_EditLinkToItsForm()
    {
        var card = RenderCard(Status("BACKUP", id: 3));

        Assert.Equal("/vhids/3", card.Find(".card-head a").GetAttribute("href"));
    }

    /// <summary>The definition after the "Peer" term, whitespace collapsed.</summary>
    private static string PeerLine(IRenderedComponent<VhidCard> card)
    {
        var term = card.FindAll("dt").Single(t => t.TextContent == "Peer");
        return string.Join(' ', term.NextElementSibling!.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }
}
