using Microsoft.Extensions.Logging;

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

    /// <summary>A ucarp-style log line ("Putting MASTER down - preemption").</summary>
    public sealed record Log(LogLevel Level, string Message) : CarpEffect;

    /// <summary>A graceful stop finished: the VIP is released and the instance may close.</summary>
    public sealed record Stopped : CarpEffect;
}
