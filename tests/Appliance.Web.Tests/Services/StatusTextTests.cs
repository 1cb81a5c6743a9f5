using System.Net;
using Appliance.Engine.Hosting;
using Appliance.Engine.StateMachine;
using Appliance.Web.Services;

namespace Appliance.Web.Tests.Services;

/// <summary>The status words the web makes from the engine's data (the API's demotion and message fields).</summary>
public class StatusTextTests
{
    private static VhidStatus Status(CarpState state, bool maintenance, params string[] demotions) => new(
        "veth0/10",
        new VhidConfig { Interface = "veth0", Vhid = 10, Password = "secret", VirtualAddress = IPAddress.Parse("198.18.0.100") },
        state,
        DateTimeOffset.UnixEpoch,
        null,
        VhidCounters.Empty,
        maintenance,
        demotions);

    public static TheoryData<CarpState, bool, string[], string?, string?> Cases => new()
    {
        { CarpState.Master, false, [], null, null },
        { CarpState.Backup, false, [], null, null },
        { CarpState.Master, true, [], null, "maintenance: waiting for a peer to take over" },
        { CarpState.Backup, true, [], null, "maintenance: the VIP stays with the peer until released" },
        { CarpState.Master, false, ["HTTP check web: returned 503"], "HTTP check web: returned 503", "demoted (HTTP check web: returned 503): waiting for a peer to take over" },
        { CarpState.Master, true, ["a", "b"], "a; b", "demoted (maintenance; a; b): waiting for a peer to take over" },
        { CarpState.Backup, true, ["a", "b"], "a; b", "demoted: a; b" },
        { CarpState.Init, false, ["a"], "a", "demoted: a" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void DemotionAndMessage(CarpState state, bool maintenance, string[] demotions, string? demotion, string? message)
    {
        var status = Status(state, maintenance, demotions);
        Assert.Equal(demotion, StatusText.Demotion(status));
        Assert.Equal(message, StatusText.Message(status));
    }
}
