using Appliance.Web.Storage;

namespace Appliance.Web.Services;

/// <summary>One state change as the API, hub and dashboard show it. States are text ("MASTER").</summary>
public sealed record TransitionDto(
    long Id,
    DateTimeOffset At,
    string Key,
    string Interface,
    int Vhid,
    string From,
    string To,
    string Cause,
    string LogLine)
{
    public static TransitionDto FromStored(StoredTransition t) => new(
        t.Id, t.At, t.Key, t.Interface, t.Vhid, WireNames.State(t.From), WireNames.State(t.To), WireNames.Cause(t.Cause), t.LogLine);
}
