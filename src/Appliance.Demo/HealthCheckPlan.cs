using System.Globalization;

namespace Appliance.Demo;

/// <summary>
/// Each node checks its own Apache (HTTP GET of http://127.0.0.1/ expecting 200): after
/// <see cref="Fall"/> failures in a row the VHID is demoted and the peer takes over; after
/// <see cref="Rise"/> successes it is restored (and node1, preempting, takes the VIP back).
/// </summary>
internal sealed record HealthCheckPlan(TimeSpan Interval, TimeSpan Timeout, int Fall, int Rise)
{
    public const string Name = "apache";

    public static HealthCheckPlan Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500), Fall: 2, Rise: 2);

    /// <summary>The client-visible bound of a health failover: fall x interval, plus the handover.</summary>
    public TimeSpan DetectionTime => Interval * Fall;

    /// <summary>The <c>checks</c> list of the VHID input (the API's field names).</summary>
    public IReadOnlyList<object> ChecksFor(DemoNode node) =>
    [
        new Dictionary<string, object?>
        {
            ["name"] = Name,
            ["kind"] = "http",
            ["target"] = $"http://127.0.0.1:{DemoNode.ApachePort}/",
            ["expectedStatus"] = 200,
            ["intervalMs"] = (int)Interval.TotalMilliseconds,
            ["timeoutMs"] = (int)Timeout.TotalMilliseconds,
            ["rise"] = Rise,
            ["fall"] = Fall,
        },
    ];

    public string Describe(DemoNode node) => string.Create(CultureInfo.InvariantCulture,
        $"'{Name}' GET http://127.0.0.1:{DemoNode.ApachePort}/ expecting 200 every {Interval.TotalSeconds:0.#} s (fall {Fall}, rise {Rise})");
}
