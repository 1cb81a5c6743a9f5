using Appliance.Engine.StateMachine;

namespace Appliance.Web.Storage;

/// <summary>One entry of the transition history (every state change, with its cause and ucarp's log line).</summary>
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
}
