namespace Appliance.Engine.StateMachine;

/// <summary>What the state machine asks the edges to do. Pure data; the instance carries it out.</summary>
public abstract record CarpEffect
{
    private CarpEffect()
    {
    }

    /// <summary>Send one advertisement with these fields (the instance encodes and signs it).</summary>
    public sealed record SendAdvert(byte AdvBase, byte AdvSkew, ulong Counter) : CarpEffect;

    /// <summary>Send a gratuitous ARP for the VIP.</summary>
    public sealed record SendGratuitousArp : CarpEffect;

    /// <summary>
    /// A state change. To MASTER: add the VIP (if managed), run the upscript. To BACKUP from MASTER
    /// (or at start unless neutral): remove the VIP (if managed), run the downscript.
    /// </summary>
    public sealed record Transition(CarpState From, CarpState To, TransitionCause Cause, bool RunScripts) : CarpEffect;

    /// <summary>
    /// Something to tell the admin, as a code: the host renders ucarp's words for it. For <see cref="CarpNotice.Demoted"/>,
    /// whether maintenance is one of the causes and the other demotion reasons (sentences from their sources). For
    /// <see cref="CarpNotice.ConstantCounter"/>, the source, its counter and whether the replay check is relaxed.
    /// </summary>
    public sealed record Notice(
        CarpNotice Kind,
        bool Maintenance = false,
        IReadOnlyList<string>? Demotions = null,
        System.Net.IPAddress? Source = null,
        ulong Counter = 0,
        bool Relaxed = false) : CarpEffect;

    /// <summary>
    /// A split brain (another MASTER, <paramref name="OtherMaster"/>, heard while we were MASTER): seen (it lasts
    /// until resolved) or resolved (we yielded, or the other master went quiet for one master-down interval).
    /// </summary>
    public sealed record SplitBrain(System.Net.IPAddress OtherMaster, bool Resolved) : CarpEffect;

    /// <summary>
    /// Flap damping (docs/carp-protocol.md, 6.13). <paramref name="Suppressed"/> true: the suppression began at a
    /// transition into <paramref name="State"/>, after <paramref name="Transitions"/> counted transitions over
    /// <paramref name="Span"/> (first to last), with <paramref name="Penalty"/> above the suppress threshold. False:
    /// it ended after lasting <paramref name="Span"/>, the penalty decayed to <paramref name="Penalty"/>, or
    /// (<paramref name="Capped"/>) the maximum suppress time ran out.
    /// </summary>
    public sealed record Flapping(
        bool Suppressed,
        CarpState State,
        double Penalty,
        int Transitions,
        TimeSpan Span,
        FlapDampingConfig Settings,
        bool Capped = false) : CarpEffect;

    /// <summary>We won a split brain: run the upscript again so whatever it announces follows us (once per episode).</summary>
    public sealed record Reannounce : CarpEffect;

    /// <summary>A graceful stop finished: the VIP is released and the instance may close.</summary>
    public sealed record Stopped : CarpEffect;
}
