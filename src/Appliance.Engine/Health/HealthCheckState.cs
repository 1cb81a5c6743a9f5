namespace Appliance.Engine.Health;

/// <summary>
/// Rise/fall bookkeeping of one check, pure and synchronous. Like keepalived's tracked scripts it starts
/// healthy, turns failed after <see cref="HealthCheckConfig.Fall"/> consecutive failures and healthy again
/// after <see cref="HealthCheckConfig.Rise"/> consecutive successes. Not thread-safe: the monitor owns the lock.
/// </summary>
public sealed class HealthCheckState
{
    private string? _demotedFor;

    public HealthCheckState(HealthCheckConfig config)
    {
        Config = config;
    }

    public HealthCheckConfig Config { get; }
    public bool Healthy { get; private set; } = true;
    public int ConsecutiveSuccesses { get; private set; }
    public int ConsecutiveFailures { get; private set; }
    public HealthProbeResult? LastResult { get; private set; }
    public DateTimeOffset? LastRun { get; private set; }

    /// <summary>The last result as a sentence; null before the first run.</summary>
    public string? LastSentence => LastResult is null ? null : Sentence(LastResult);

    /// <summary>
    /// Why the node is demoted, null while healthy. Fixed at the moment the check failed (or when the kind of
    /// failure changes), so the engine's demotion reason does not change with every further failure.
    /// </summary>
    public string? DemotionReason { get; private set; }

    /// <summary>Records one result; true when <see cref="DemotionReason"/> changed (the engine needs telling).</summary>
    public bool Record(HealthProbeResult result, DateTimeOffset at)
    {
        LastResult = result;
        LastRun = at;
        var before = DemotionReason;
        if (result.Success)
        {
            ConsecutiveSuccesses++;
            ConsecutiveFailures = 0;
            if (!Healthy && ConsecutiveSuccesses >= Config.Rise)
            {
                Healthy = true;
                DemotionReason = null;
                _demotedFor = null;
            }
        }
        else
        {
            ConsecutiveFailures++;
            ConsecutiveSuccesses = 0;
            if (Healthy && ConsecutiveFailures >= Config.Fall)
            {
                Healthy = false;
                DemotionReason = Sentence(result);
                _demotedFor = result.Description;
            }
            else if (!Healthy && _demotedFor != result.Description)
            {
                DemotionReason = Sentence(result);
                _demotedFor = result.Description;
            }
        }
        return before != DemotionReason;
    }

    private string Sentence(HealthProbeResult result)
    {
        var count = result.Success ? ConsecutiveSuccesses : ConsecutiveFailures;
        var noun = result.Success ? (count == 1 ? "success" : "successes") : (count == 1 ? "failure" : "failures");
        return $"{Config.KindLabel} check {Config.Name}: {result.Description} ({count} {noun} in a row)";
    }
}
