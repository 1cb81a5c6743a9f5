namespace Appliance.Engine.StateMachine;

/// <summary>
/// Something the state machine wants said (a reason code, not words): the edge that hosts the machine turns it
/// into ucarp's line for the log (<see cref="Hosting.CarpNoticeText"/>).
/// </summary>
public enum CarpNotice
{
    /// <summary>A MASTER heard a better master and goes back to BACKUP.</summary>
    PreferredMasterSeen,

    /// <summary>A MASTER heard a worse master and re-sends its gratuitous ARP.</summary>
    ReassertingVip,

    /// <summary>A preempting BACKUP takes over from a worse master.</summary>
    Preempting,

    /// <summary>A BACKUP takes over because the master advertised a lower priority than its own.</summary>
    MasterBowedOut,

    /// <summary>The interface lost its carrier: BACKUP until it returns.</summary>
    LinkDown,

    /// <summary>The interface's carrier returned.</summary>
    LinkUp,

    /// <summary>Maintenance or a demotion began: the node advertises the bow-out pair.</summary>
    Demoted,

    /// <summary>The last demotion ended: normal priority again.</summary>
    DemotionCleared,

    /// <summary>
    /// A source sent the same counter several adverts in a row (OpenBSD's constant cookie): said once per source and
    /// counter, with whether the VHID's replay check is relaxed (repeats accepted) or strict (dropped as replays).
    /// </summary>
    ConstantCounter,

    /// <summary>
    /// A preempting BACKUP heard a less preferred master but does not take over: flapping suppressed (said once per
    /// suppression, with the master's address as <see cref="CarpEffect.Notice.Source"/>; docs/carp-protocol.md, 6.13).
    /// </summary>
    PreemptSuppressed,
}
