using System.Globalization;
using Appliance.Demo;

namespace Appliance.Demo.Tests;

/// <summary>The demo's syslog-style lines for each node's history entries.</summary>
public sealed class TransitionPrinterTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 10, 43, 59, TimeSpan.Zero);

    private static string Stamp()
    {
        var local = At.ToLocalTime();
        return string.Create(CultureInfo.InvariantCulture, $"{local:MMM} {local.Day,2} {local:HH:mm:ss}");
    }

    [Fact]
    public void Format_Transition_SeedsWarningLine() =>
        Assert.Equal($"{Stamp()} node1 appliance: [WARNING] Switching to state: MASTER",
            TransitionPrinter.Format("node1", new Transition(1, At, 10, "BACKUP", "MASTER", "preempt", "Switching to state: MASTER")));

    [Fact]
    public void Format_CarrierLostAndBack_WarningThenInfo()
    {
        Assert.Equal($"{Stamp()} node2 appliance: [WARNING] Carrier lost on eth0: no adverts are sent or heard, BACKUP until it returns",
            TransitionPrinter.Format("node2", new Transition(2, At, 10, "BACKUP", "BACKUP", "linkDown",
                "Carrier lost on eth0: no adverts are sent or heard, BACKUP until it returns", "carrierLost")));
        Assert.Equal($"{Stamp()} node2 appliance: [INFO] Carrier back on eth0",
            TransitionPrinter.Format("node2", new Transition(3, At, 10, "BACKUP", "BACKUP", "linkDown", "Carrier back on eth0", "carrierRestored")));
    }
}
