using Appliance.Engine.Hosting;
using Appliance.Engine.Protocol;
using Appliance.Web.Storage;

namespace Appliance.Web.Services;

/// <summary>The engine's snapshot as DTOs, joined with the stored ids so the UI can link to the config.</summary>
public sealed class StatusService(ICarpEngine engine, IApplianceStore store)
{
    public IReadOnlyList<VhidStatusDto> GetAll()
    {
        var ids = IdsByKey();
        return engine.Snapshot().Select(s => ToDto(s, ids)).OrderBy(s => s.Interface, StringComparer.Ordinal).ThenBy(s => s.Vhid).ToList();
    }

    public VhidStatusDto ToDto(VhidStatus status) => ToDto(status, IdsByKey());

    private Dictionary<string, int> IdsByKey()
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var v in store.Vhids.GetAll())
        {
            ids[v.Key] = v.Id;
        }
        return ids;
    }

    private static VhidStatusDto ToDto(VhidStatus s, Dictionary<string, int> ids)
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
            s.MasterDown.TotalMilliseconds);
    }
}
