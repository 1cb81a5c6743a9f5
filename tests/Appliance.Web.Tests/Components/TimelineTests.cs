using Appliance.Web.Components.Controls;
using Appliance.Web.Services;
using Appliance.Web.Storage;
using Bunit;

namespace Appliance.Web.Tests.Components;

/// <summary>The board's live timeline, rendered alone: every event names the node, maintenance in words, non-state entries as their line.</summary>
public sealed class TimelineTests : BunitContext
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 44, 30, TimeSpan.Zero);

    private static TransitionDto Entry(long id, string kind, string from, string to, string cause, string line, bool maintenance = false) =>
        new(id, Now - TimeSpan.FromSeconds(31 - id), "eth0/10", "eth0", 10, from, to, cause, line, kind, maintenance);

    private IRenderedComponent<Timeline> RenderTimeline(params TransitionDto[] transitions) =>
        Render<Timeline>(p => p
            .Add(c => c.Transitions, transitions)
            .Add(c => c.Now, Now)
            .Add(c => c.Zone, TimeZoneInfo.Utc)
            .Add(c => c.NodeName, "node1"));

    [Fact]
    public void Timeline_EveryKindOfEvent_NamesTheNode()
    {
        var timeline = RenderTimeline(
            Entry(4, HistoryKinds.Transition, "BACKUP", "MASTER", "preempt", "Switching to state: MASTER", maintenance: true),
            Entry(3, HistoryKinds.CarrierRestored, "BACKUP", "BACKUP", "linkDown", "Carrier back on eth0"),
            Entry(2, HistoryKinds.CarrierLost, "BACKUP", "BACKUP", "linkDown", "Carrier lost on eth0: no adverts are sent or heard, BACKUP until it returns"),
            Entry(1, HistoryKinds.Transition, "MASTER", "BACKUP", "adminAction", "Switching to state: BACKUP"));

        var items = timeline.FindAll(".timeline-item");
        Assert.Equal(4, items.Count);
        Assert.All(items, i => Assert.Equal("node1", i.QuerySelector("[data-testid=timeline-node]")!.TextContent));
        Assert.Equal(["transition", "carrierRestored", "carrierLost", "transition"], items.Select(i => i.GetAttribute("data-kind")));
    }

    [Fact]
    public void Timeline_Maintenance_PlainWordsNotAdminAction()
    {
        var timeline = RenderTimeline(
            Entry(2, HistoryKinds.Transition, "BACKUP", "MASTER", "preempt", "Switching to state: MASTER", maintenance: true),
            Entry(1, HistoryKinds.Transition, "MASTER", "BACKUP", "adminAction", "Switching to state: BACKUP", maintenance: true));

        var causes = timeline.FindAll("[data-testid=timeline-cause]").Select(c => c.TextContent).ToList();
        Assert.Equal("10:44:01 · maintenance ended: took the VIP back (preempt) · 29 s ago", causes[0]);
        Assert.Equal("10:44:00 · maintenance: handed over to the backup · 30 s ago", causes[1]);
        Assert.DoesNotContain(causes, c => c.Contains("admin action", StringComparison.Ordinal));
    }

    [Fact]
    public void Timeline_CarrierLost_ShowsItsLineAndNoStateArrow()
    {
        var timeline = RenderTimeline(Entry(1, HistoryKinds.CarrierLost, "BACKUP", "BACKUP", "linkDown", "Carrier lost on eth0: no adverts are sent or heard, BACKUP until it returns"));

        var item = timeline.Find(".timeline-item");
        Assert.Contains("kind-carrierlost", item.ClassList);
        Assert.Contains("node1 eth0/10 Carrier lost on eth0: no adverts are sent or heard", string.Join(' ', item.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.Empty(item.QuerySelectorAll(".badge"));
    }
}
