using System.Globalization;
using System.Text;
using Appliance.Engine.Health;
using Appliance.Engine.Hosting;
using Appliance.Engine.Protocol;
using Appliance.Web.Services;

namespace Appliance.Web.Api;

/// <summary>GET /metrics in the Prometheus text exposition format (version 0.0.4).</summary>
public static class MetricsApi
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/metrics", Get).WithTags("Metrics")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .Describe("getMetrics", "Prometheus metrics");
        return endpoints;
    }

    public static IResult Get(ICarpEngine engine, TransitionCounter transitions, HealthService health) =>
        TypedResults.Text(Render(engine.Snapshot(), transitions.Snapshot(), health.Snapshot()), ContentType);

    public static string Render(
        IReadOnlyList<VhidStatus> statuses,
        IReadOnlyDictionary<string, long> transitions,
        IReadOnlyDictionary<string, IReadOnlyList<HealthCheckStatus>>? checks = null)
    {
        var text = new StringBuilder();
        var ordered = statuses.OrderBy(s => s.Config.Interface, StringComparer.Ordinal).ThenBy(s => s.Config.Vhid).ToList();

        Header(text, "appliance_vhid_state", "gauge", "CARP state per VHID: 0 INIT, 1 BACKUP, 2 MASTER.");
        foreach (var s in ordered)
        {
            Sample(text, "appliance_vhid_state", Labels(s), (int)s.State);
        }
        Header(text, "appliance_vhid_maintenance", "gauge", "1 while the VHID is in persistent maintenance.");
        foreach (var s in ordered)
        {
            Sample(text, "appliance_vhid_maintenance", Labels(s), s.Maintenance ? 1 : 0);
        }
        Header(text, "appliance_transitions_total", "counter", "State transitions since the appliance started.");
        foreach (var s in ordered)
        {
            Sample(text, "appliance_transitions_total", Labels(s), transitions.TryGetValue(s.Key, out var n) ? n : 0);
        }
        Header(text, "appliance_adverts_sent_total", "counter", "CARP advertisements sent.");
        foreach (var s in ordered)
        {
            Sample(text, "appliance_adverts_sent_total", Labels(s), s.Counters.AdvertsSent);
        }
        Header(text, "appliance_adverts_received_total", "counter", "Valid CARP advertisements received.");
        foreach (var s in ordered)
        {
            Sample(text, "appliance_adverts_received_total", Labels(s), s.Counters.AdvertsReceived);
        }
        Header(text, "appliance_drops_total", "counter", "Received packets dropped, by reason.");
        foreach (var s in ordered)
        {
            foreach (var reason in Enum.GetValues<DropReason>())
            {
                var count = s.Counters.Drops.TryGetValue(reason, out var d) ? d : 0;
                Sample(text, "appliance_drops_total", Labels(s) + $",reason=\"{WireNames.Drop(reason)}\"", count);
            }
        }
        Header(text, "appliance_check_healthy", "gauge", "1 while the health check passes (rise/fall applied), 0 while it demotes the node.");
        foreach (var s in ordered)
        {
            foreach (var check in checks?.GetValueOrDefault(s.Key) ?? [])
            {
                Sample(text, "appliance_check_healthy", Labels(s) + $",check=\"{Escape(check.Name)}\"", check.Healthy ? 1 : 0);
            }
        }
        return text.ToString();
    }

    private static string Labels(VhidStatus s) =>
        $"vhid=\"{s.Config.Vhid.ToString(CultureInfo.InvariantCulture)}\",interface=\"{Escape(s.Config.Interface)}\"";

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, string labels, long value) =>
        text.Append(name).Append('{').Append(labels).Append("} ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    /// <summary>Prometheus label values escape backslash, double quote and newline.</summary>
    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}
