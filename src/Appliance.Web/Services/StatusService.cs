using Appliance.Engine.Health;
using Appliance.Engine.Hosting;
using Appliance.Engine.Protocol;
using Appliance.Web.Storage;

namespace Appliance.Web.Services;

/// <summary>The engine's snapshot as DTOs, joined with the stored ids so the UI can link to the config.</summary>
public sealed class StatusService(ICarpEngine engine, IApplianceStore store, HealthService health)
{
    public IReadOnlyList<VhidStatusDto> GetAll()
    {
        var ids = IdsByKey();
        var checks = health.Snapshot();
        return engine.Snapshot().Select(s => ToDto(s, ids, checks.GetValueOrDefault(s.Key) ?? [])).OrderBy(s => s.Interface, StringComparer.Ordinal).ThenBy(s => s.Vhid).ToList();
    }

    public VhidStatusDto ToDto(VhidStatus status) => ToDto(status, IdsByKey(), health.Snapshot(status.Key));

    /// <summary>The current status of one VHID; null when it is not running.</summary>
    public VhidStatusDto? Get(string key) => engine.Snapshot().FirstOrDefault(s => s.Key == key) is { } status ? ToDto(status) : null;

    public static string KindName(HealthCheckKind kind) => kind switch
    {
        HealthCheckKind.Http => CheckKinds.Http,
        HealthCheckKind.Tcp => CheckKinds.Tcp,
        _ => CheckKinds.Command,
    };

    private Dictionary<string, int> IdsByKey()
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var v in store.Vhids.GetAll())
        {
            ids[v.Key] = v.Id;
        }
        return ids;
    }

    private static VhidStatusDto ToDto(VhidStatus s, Dictionary<string, int> ids, IReadOnlyList<HealthCheckStatus> checks)
    {
        var drops = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            drops[WireNames.Drop(reason)] = s.Counters.Drops.TryGetValue(reason, out var n) ? n : 0;
        }
        return new VhidStatusDto(
            s.Key,
            ids.TryGetValue(s.Key, out var id) ? id : null,
            s.Config.Interface,
            s.Config.Vhid,
            s.Config.VirtualAddressText ?? s.Config.VirtualAddress.ToString(),
            WireNames.State(s.State),
            s.Since,
            s.LastPeer is { } p ? new PeerDto(p.Source.ToString(), p.AdvBase, p.AdvSkew, p.HeardAt) : null,
            new CountersDto(s.Counters.AdvertsSent, s.Counters.AdvertsReceived, drops),
            s.Maintenance,
            s.Demotion,
            s.Message,
            s.AdvertInterval.TotalMilliseconds,
            s.MasterDown.TotalMilliseconds,
            checks.Select(c => new CheckStatusDto(c.Name, KindName(c.Kind), c.Target, c.Healthy, c.LastResult, c.LastRun,
                c.ConsecutiveSuccesses, c.ConsecutiveFailures, c.DemotionReason)).ToList());
    }
}
