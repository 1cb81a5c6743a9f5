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
    string? Note)
{
    /// <summary>From the master's last advert to the backup's first (capture on the client); compare to master-down.</summary>
    public double SilenceMs { get; init; } = double.NaN;

    /// <summary><see cref="SilenceMs"/> minus the backup's master-down interval: how late the takeover fired.</summary>
    public double LatenessMs { get; init; } = double.NaN;

    /// <summary>From the backup's first advert to its first gratuitous ARP for the VIP.</summary>
    public double GarpAfterAdvertMs { get; init; } = double.NaN;

    /// <summary>From that gratuitous ARP to the send time of the first request node2 answered.</summary>
    public double ClientAfterGarpMs { get; init; } = double.NaN;

    /// <summary>The longest gap between successes in the second before the event: the client's own noise floor.</summary>
    public double BaselineGapMs { get; init; } = double.NaN;
}
