namespace Appliance.Engine.Health;

/// <summary>One check of one VHID as the dashboard, the API and the history show it.</summary>
/// <param name="LastResult">The last run as a sentence ("HTTP check web: GET ... returned 503, expected 200 (3 failures in a row)").</param>
/// <param name="DemotionReason">Why this check demotes the node; null while it is healthy.</param>
public sealed record HealthCheckStatus(
    string Key,
    string Name,
    HealthCheckKind Kind,
    string Target,
    bool Healthy,
    string? LastResult,
    DateTimeOffset? LastRun,
    int ConsecutiveSuccesses,
    int ConsecutiveFailures,
    string? DemotionReason)
{
    /// <summary>The demotion source passed to <c>ICarpEngine.SetDemotion</c> for a check.</summary>
    public static string SourceFor(string checkName) => "check " + checkName;
}
