using Appliance.Engine.Hosting;
using Appliance.Engine.StateMachine;
using Microsoft.Extensions.Logging;

namespace Appliance.Engine.Tests.Hosting;

/// <summary>The words of every notice: ucarp's lines byte for byte where ucarp has one (admins grep syslog for them).</summary>
public class CarpNoticeTextTests
{
    public static TheoryData<CarpNotice, LogLevel, string> Lines => new()
    {
        { CarpNotice.PreferredMasterSeen, LogLevel.Warning, "Preferred master advertised: going back to BACKUP state" },
        { CarpNotice.ReassertingVip, LogLevel.Warning, "Non-preferred master advertising: reasserting control of VIP with another gratuitous arp" },
        { CarpNotice.Preempting, LogLevel.Warning, "Putting MASTER down - preemption" },
        { CarpNotice.MasterBowedOut, LogLevel.Warning, "Putting MASTER DOWN (going to time out)" },
        { CarpNotice.LinkDown, LogLevel.Warning, "Link down on veth0: staying BACKUP until carrier returns" },
        { CarpNotice.LinkUp, LogLevel.Information, "Link up on veth0" },
        { CarpNotice.DemotionCleared, LogLevel.Warning, "Demotion cleared: advertising normal priority again" },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void Render_GivesTheLineAndLevel(CarpNotice kind, LogLevel level, string text) =>
        Assert.Equal((level, text), CarpNoticeText.Render(new CarpEffect.Notice(kind), "veth0"));

    [Fact]
    public void Render_Demoted_NamesMaintenanceFirstThenEachReason() =>
        Assert.Equal(
            (LogLevel.Warning, "Demoted (maintenance, 198.18.0.254 unreachable): advertising 255/255 so a peer takes over"),
            CarpNoticeText.Render(new CarpEffect.Notice(CarpNotice.Demoted, true, ["198.18.0.254 unreachable"]), "veth0"));

    [Fact]
    public void Render_EveryNoticeHasWords()
    {
        foreach (var kind in Enum.GetValues<CarpNotice>())
        {
            Assert.NotEmpty(CarpNoticeText.Render(new CarpEffect.Notice(kind), "veth0").Text);
        }
    }
}
