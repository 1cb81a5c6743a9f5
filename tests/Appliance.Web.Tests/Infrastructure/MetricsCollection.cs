namespace Appliance.Web.Tests.Infrastructure;

/// <summary>
/// Tests that scrape /metrics run alone: OpenTelemetry listens to every meter named "Appliance" in the process, so a
/// scrape while another test's host is alive would also show that host's VHIDs (one host per process in production).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics";
}
