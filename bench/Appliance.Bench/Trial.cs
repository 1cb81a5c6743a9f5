namespace Appliance.Bench;

internal enum FailoverEvent
{
    SigKill,
    LinkDown,
    SigTerm,
    Maintenance,
}

/// <summary>
/// One measured event. <see cref="GapMs"/>: the longest time between two successful client requests
/// around the event; <see cref="TakeoverMs"/>: from the event to the first request answered by node2.
/// </summary>
internal sealed record Trial(
    string Daemon,
    FailoverEvent Event,
    int Rep,
    double GapMs,
    double TakeoverMs,
    int Failed,
    bool? DuplicateAfterKill,
    bool? StaleVipAfterRestart,
    int SpuriousBefore,
    string? Note);
