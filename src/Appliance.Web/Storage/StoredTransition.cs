using Appliance.Engine.StateMachine;

namespace Appliance.Web.Storage;

/// <summary>
/// One entry of the history: every state change, with its cause and ucarp's log line, and (kind "demoted" /
/// "demotionCleared") the start and end of a health-check demotion, where From == To is the state at that moment,
/// and (kind "splitBrain") a split brain resolved, From == To the state after it, (kinds "carrierLost" /
/// "carrierRestored") the interface's carrier lost or back, From == To the state then, and (kinds "flapSuppressed" /
/// "flapReleased") the start and end of a flap-damping suppression, From == To the state then.
/// </summary>
public sealed class StoredTransition
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public string Key { get; set; } = "";
    public string Interface { get; set; } = "";
    public int Vhid { get; set; }
    public CarpState From { get; set; }
    public CarpState To { get; set; }
    public TransitionCause Cause { get; set; }
    public string LogLine { get; set; } = "";
    /// <summary>
    /// "transition" (also for records written before kinds existed), "demoted", "demotionCleared", "splitBrain",
    /// "carrierLost", "carrierRestored", "flapSuppressed" or "flapReleased".
    /// </summary>
    public string Kind { get; set; } = HistoryKinds.Transition;

    /// <summary>
    /// A state change that maintenance made: the handover when it began (cause adminAction), the preempt that took the
    /// VIP back when it ended. False in records written before this existed.
    /// </summary>
    public bool Maintenance { get; set; }
}

/// <summary>The kinds of history entries.</summary>
public static class HistoryKinds
{
    public const string Transition = "transition";
    public const string Demoted = "demoted";
    public const string DemotionCleared = "demotionCleared";
    public const string SplitBrain = "splitBrain";
    public const string CarrierLost = "carrierLost";
    public const string CarrierRestored = "carrierRestored";
    public const string FlapSuppressed = "flapSuppressed";
    public const string FlapReleased = "flapReleased";

    /// <summary>Entries that record a state change; the others record something that happened in a state (From == To).</summary>
    public static bool IsStateChange(string kind) => kind is Transition or "";
}
