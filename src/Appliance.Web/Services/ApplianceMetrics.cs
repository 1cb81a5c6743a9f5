using System.Diagnostics.Metrics;
using Appliance.Engine.StateMachine;
using Appliance.Web.Hosting;
using Microsoft.Extensions.Options;

namespace Appliance.Web.Services;

/// <summary>
/// The node's metrics as System.Diagnostics.Metrics instruments on the meter <see cref="MeterName"/> (what
/// dotnet-counters and OpenTelemetry listen to), read from the <see cref="StatusFeed"/> at each collection.
/// /metrics exports them in the Prometheus text format (OpenTelemetry's exporter). The names are the
/// appliance's documented ones; with Appliance:Metrics:KeepalivedNames the same values are also offered under
/// the names of the Prometheus keepalived exporter (keepalived_vrrp_state{iname,intf,vrid} and its advert
/// counters) so dashboards and alerts written for keepalived keep working.
/// </summary>
public sealed class ApplianceMetrics
{
    public const string MeterName = "Appliance";

    private static readonly Dictionary<string, int> StateValues =
        Enum.GetValues<CarpState>().ToDictionary(s => s.ToWire(), s => (int)s, StringComparer.Ordinal);

    private readonly StatusFeed _feed;
    private readonly TimeProvider _clock;

    public ApplianceMetrics(IMeterFactory meters, StatusFeed feed, TimeProvider clock, IOptions<ApplianceOptions> options)
    {
        _feed = feed;
        _clock = clock;
        var meter = meters.Create(MeterName);

        meter.CreateObservableGauge("appliance_vhid_state", () => PerVhid(s => StateValue(s.State), Labels),
            description: "CARP state per VHID: 0 INIT, 1 BACKUP, 2 MASTER.");
        meter.CreateObservableGauge("appliance_vhid_maintenance", () => PerVhid(s => s.Maintenance ? 1 : 0, Labels),
            description: "1 while the VHID is in persistent maintenance.");
        meter.CreateObservableCounter("appliance_transitions_total", () => PerVhid(s => _feed.Totals(s.Key).Transitions, Labels),
            description: "State transitions since the appliance started.");
        meter.CreateObservableCounter("appliance_split_brains_total", () => PerVhid(s => _feed.Totals(s.Key).SplitBrains, Labels),
            description: "Split brains seen (another MASTER heard while MASTER) since the appliance started.");
        meter.CreateObservableGauge("appliance_vhid_flap_penalty", FlapPenalty,
            description: "Flap damping penalty per VHID, decayed to the moment of collection (absent while flap damping is off).");
        meter.CreateObservableGauge("appliance_vhid_flap_suppressed", () => PerVhid(s => s.Flapping is { Suppressed: true } ? 1 : 0, Labels),
            description: "1 while flap damping suppresses the VHID (it holds its role and does not preempt).");
        meter.CreateObservableCounter("appliance_flap_suppressions_total", () => PerVhid(s => _feed.Totals(s.Key).FlapSuppressions, Labels),
            description: "Flap damping suppressions begun since the appliance started.");
        meter.CreateObservableCounter("appliance_adverts_sent_total", () => PerVhid(s => s.Counters.AdvertsSent, Labels),
            description: "CARP advertisements sent.");
        meter.CreateObservableCounter("appliance_adverts_received_total", () => PerVhid(s => s.Counters.AdvertsReceived, Labels),
            description: "Valid CARP advertisements received.");
        meter.CreateObservableCounter("appliance_drops_total", Drops,
            description: "Received packets dropped, by reason.");
        meter.CreateObservableGauge("appliance_check_healthy", Checks,
            description: "1 while the health check passes (rise/fall applied), 0 while it demotes the node.");
        meter.CreateObservableGauge("appliance_vhid_master_down_seconds", MasterDown,
            description: "On a BACKUP: seconds until it would take over if no advert arrives (master-down minus the time since the last advert heard).");
        meter.CreateObservableGauge("appliance_vhid_peer_last_heard_seconds", PeerAge,
            description: "Seconds since the last valid advert from another node on this VHID.");

        if (options.Value.Metrics.KeepalivedNames)
        {
            meter.CreateObservableGauge("keepalived_vrrp_state", () => PerVhid(s => StateValue(s.State), KeepalivedLabels),
                description: "State of vrrp (keepalived exporter name): 0 INIT, 1 BACKUP, 2 MASTER.");
            meter.CreateObservableCounter("keepalived_advert_sent_total", () => PerVhid(s => s.Counters.AdvertsSent, KeepalivedLabels),
                description: "Advertisements sent (keepalived exporter name).");
            meter.CreateObservableCounter("keepalived_advert_rcvd_total", () => PerVhid(s => s.Counters.AdvertsReceived, KeepalivedLabels),
                description: "Advertisements received (keepalived exporter name).");
            meter.CreateObservableCounter("keepalived_become_master_total", () => PerVhid(s => _feed.Totals(s.Key).BecameMaster, KeepalivedLabels),
                description: "Became master (keepalived exporter name).");
        }
    }

    private static int StateValue(string state) => StateValues.GetValueOrDefault(state);

    private static KeyValuePair<string, object?>[] Labels(VhidStatusDto s) =>
        [new("vhid", s.Vhid.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("interface", s.Interface)];

    /// <summary>keepalived names its instance (iname); ours is the VHID's key "interface/vhid".</summary>
    private static KeyValuePair<string, object?>[] KeepalivedLabels(VhidStatusDto s) =>
        [new("iname", s.Key), new("intf", s.Interface), new("vrid", s.Vhid.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private IEnumerable<Measurement<T>> PerVhid<T>(Func<VhidStatusDto, T> value, Func<VhidStatusDto, KeyValuePair<string, object?>[]> labels)
        where T : struct =>
        _feed.Snapshot().Select(s => new Measurement<T>(value(s), labels(s)));

    private IEnumerable<Measurement<long>> Drops() =>
        _feed.Snapshot().SelectMany(s => s.Counters.Drops.Select(d => new Measurement<long>(d.Value, [.. Labels(s), new("reason", d.Key)])));

    private IEnumerable<Measurement<int>> Checks() =>
        _feed.Snapshot().SelectMany(s => s.Checks.Select(c => new Measurement<int>(c.Healthy ? 1 : 0, [.. Labels(s), new("check", c.Name)])));

    private IEnumerable<Measurement<double>> MasterDown()
    {
        var now = _clock.GetUtcNow();
        foreach (var s in _feed.Snapshot())
        {
            if (s.State != CarpState.Backup.ToWire())
            {
                continue;
            }
            // The master-down timer restarts at every advert heard, and started when the VHID became BACKUP.
            var armed = s.LastPeer is { } peer && peer.HeardAt > s.Since ? peer.HeardAt : s.Since;
            var left = TimeSpan.FromMilliseconds(s.MasterDownMs) - (now - armed);
            yield return new Measurement<double>(Math.Max(0, left.TotalSeconds), Labels(s));
        }
    }

    private IEnumerable<Measurement<double>> FlapPenalty() =>
        _feed.Snapshot().Where(s => s.Flapping is not null).Select(s => new Measurement<double>(s.Flapping!.Penalty, Labels(s)));

    private IEnumerable<Measurement<double>> PeerAge()
    {
        var now = _clock.GetUtcNow();
        foreach (var s in _feed.Snapshot())
        {
            if (s.LastPeer is { } peer)
            {
                yield return new Measurement<double>(Math.Max(0, (now - peer.HeardAt).TotalSeconds), Labels(s));
            }
        }
    }
}
