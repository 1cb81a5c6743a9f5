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
}
