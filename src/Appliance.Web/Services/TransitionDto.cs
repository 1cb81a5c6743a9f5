using Appliance.Engine.StateMachine;
using Appliance.Web.Storage;

namespace Appliance.Web.Services;

/// <summary>
/// One history entry as the API, hub and dashboard show it. States are text ("MASTER"). Kind is "transition"
/// (a state change), "demoted" or "demotionCleared" (a health check demoted the node or stopped doing so;
/// From == To, the state at that moment, and the log line says why) or "splitBrain" (a split brain resolved:
/// cause "splitBrain", From == To the state after it, "split brain: another MASTER (198.18.0.3) seen; resolved") or
/// "carrierLost" / "carrierRestored" (the VHID's interface lost its carrier, or started without it, or got it back: cause
/// "linkDown", From == To the state then, "Carrier lost on eth0: ...") or "flapSuppressed" / "flapReleased" (flap
/// damping began or ended: cause "flapDamping", From == To the state then, "flapping suppressed: 4 transitions in 3.2 s;
/// holding BACKUP (penalty 3155 above 3000)"). <see cref="Maintenance"/> marks the state changes
/// maintenance made: the handover when it began (cause "adminAction") and the preempt when it ended.
/// </summary>
public sealed record TransitionDto(
    long Id,
    DateTimeOffset At,
    string Key,
    string Interface,
    int Vhid,
    string From,
    string To,
    string Cause,
    string LogLine,
    string Kind = HistoryKinds.Transition,
    bool Maintenance = false)
{
    public static TransitionDto FromStored(StoredTransition t) => new(
        t.Id, t.At, t.Key, t.Interface, t.Vhid, WireNames.State(t.From), WireNames.State(t.To), WireNames.Cause(t.Cause), t.LogLine,
        string.IsNullOrEmpty(t.Kind) ? HistoryKinds.Transition : t.Kind,
        // Before the flag existed: adminAction came only from maintenance in the web product.
        t.Maintenance || t.Cause == TransitionCause.AdminAction);
}
