namespace Appliance.Engine.StateMachine;

/// <summary>Why a VHID changed state; stored in the history and pushed to dashboards.</summary>
public enum TransitionCause
{
    /// <summary>INIT to BACKUP at start.</summary>
    Startup,
    /// <summary>No advert heard within master-down.</summary>
    MasterDownTimeout,
    /// <summary>We preempted a less preferred master.</summary>
    Preempt,
    /// <summary>A more preferred master advertised, we yielded.</summary>
    BetterMasterSeen,
    /// <summary>The master advertised a worse priority than our master-down would wait for (ucarp: "going to time out"), e.g. a bow-out.</summary>
    MasterBowedOut,
    /// <summary>Carrier lost on the interface.</summary>
    LinkDown,
    /// <summary>An admin action (maintenance, SIGUSR2, configuration change).</summary>
    AdminAction,
    /// <summary>A failing health check demoted the node.</summary>
    Demoted,
    /// <summary>The engine is stopping.</summary>
    Shutdown,
    /// <summary>Not a state change: a split brain was resolved (history entries of kind "splitBrain", From == To).</summary>
    SplitBrain,
    /// <summary>Not a state change: flap damping began or ended (history kinds "flapSuppressed" and "flapReleased", From == To).</summary>
    FlapDamping,
}
