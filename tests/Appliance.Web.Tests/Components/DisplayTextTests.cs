using Appliance.Web.Components;
using Appliance.Web.Services;
using Appliance.Web.Storage;

namespace Appliance.Web.Tests.Components;

/// <summary>The history's syslog-style lines (the History page and the timeline use these words).</summary>
public sealed class DisplayTextTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 10, 43, 59, TimeSpan.Zero);

    private static TransitionDto Entry(string kind, string from, string to, string cause, string line) =>
        new(1, At, "eth0/10", "eth0", 10, from, to, cause, line, kind);

    [Fact]
    public void SyslogLine_CarrierLost_WarningWithTheStateItWasIn()
    {
        var line = DisplayText.SyslogLine(
            Entry(HistoryKinds.CarrierLost, "BACKUP", "BACKUP", "linkDown", "Carrier lost on eth0: no adverts are sent or heard, BACKUP until it returns"),
            "node2", TimeZoneInfo.Utc);

        Assert.Equal("Nov 26 10:43:59 node2 appliance: [WARNING] Carrier lost on eth0: no adverts are sent or heard, BACKUP until it returns "
            + "(vhid 10 on eth0, state BACKUP)", line);
    }

    [Fact]
    public void SyslogLine_CarrierBack_Info()
    {
        var line = DisplayText.SyslogLine(Entry(HistoryKinds.CarrierRestored, "BACKUP", "BACKUP", "linkDown", "Carrier back on eth0"), "node2", TimeZoneInfo.Utc);

        Assert.Equal("Nov 26 10:43:59 node2 appliance: [INFO] Carrier back on eth0 (vhid 10 on eth0, state BACKUP)", line);
    }

    [Theory]
    [InlineData("BACKUP", "adminAction", true, "maintenance: handed over to the backup")]
    [InlineData("BACKUP", "adminAction", false, "maintenance: handed over to the backup")]
    [InlineData("MASTER", "preempt", true, "maintenance ended: took the VIP back (preempt)")]
    [InlineData("MASTER", "preempt", false, "preempt")]
    [InlineData("MASTER", "masterBowedOut", false, "master bowed out")]
    public void CauseText_Maintenance_PlainWords(string to, string cause, bool maintenance, string expected)
    {
        var entry = Entry(HistoryKinds.Transition, to == "MASTER" ? "BACKUP" : "MASTER", to, cause, $"Switching to state: {to}") with { Maintenance = maintenance };

        Assert.Equal(expected, DisplayText.CauseText(entry));
        Assert.EndsWith($"(vhid 10 on eth0, cause: {expected})", DisplayText.SyslogLine(entry, "node1", TimeZoneInfo.Utc), StringComparison.Ordinal);
    }

    [Fact]
    public void Causes_AdminActionInTheFilter_SaysMaintenance()
    {
        Assert.Contains("adminAction", DisplayText.CauseNames);
        Assert.Equal("maintenance", DisplayText.Cause("adminAction"));
    }

    [Theory]
    [InlineData(HistoryKinds.Transition)]
    [InlineData(HistoryKinds.Demoted)]
    [InlineData(HistoryKinds.DemotionCleared)]
    [InlineData(HistoryKinds.SplitBrain)]
    [InlineData(HistoryKinds.CarrierLost)]
    [InlineData(HistoryKinds.CarrierRestored)]
    public void SyslogLine_EveryKind_NamesTheNode(string kind)
    {
        var line = DisplayText.SyslogLine(Entry(kind, "BACKUP", "BACKUP", "linkDown", "a line"), "node2", TimeZoneInfo.Utc);

        Assert.StartsWith("Nov 26 10:43:59 node2 appliance: [", line, StringComparison.Ordinal);
    }

    [Fact]
    public void SyslogLine_FlapDamping_SaysTheStateNotACause_WarningWhenSuppressedInfoWhenReleased()
    {
        var suppressed = DisplayText.SyslogLine(
            Entry(HistoryKinds.FlapSuppressed, "BACKUP", "BACKUP", "flapDamping", "flapping suppressed: 4 transitions in 3.2 s; holding BACKUP (penalty 3155 above 3000)"),
            "node1", TimeZoneInfo.Utc);
        Assert.Equal("Nov 26 10:43:59 node1 appliance: [WARNING] flapping suppressed: 4 transitions in 3.2 s; holding BACKUP (penalty 3155 above 3000) "
            + "(vhid 10 on eth0, state BACKUP)", suppressed);

        var released = DisplayText.SyslogLine(
            Entry(HistoryKinds.FlapReleased, "BACKUP", "BACKUP", "flapDamping", "flapping released after 6.1 s: penalty decayed to the reuse threshold 750"),
            "node1", TimeZoneInfo.Utc);
        Assert.Equal("Nov 26 10:43:59 node1 appliance: [INFO] flapping released after 6.1 s: penalty decayed to the reuse threshold 750 "
            + "(vhid 10 on eth0, state BACKUP)", released);
        Assert.Equal("flap damping", DisplayText.Cause("flapDamping"));
    }
}
