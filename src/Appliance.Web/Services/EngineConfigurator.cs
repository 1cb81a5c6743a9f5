using Appliance.Engine.Hosting;
using Appliance.Engine.StateMachine;
using Appliance.Web.Storage;

namespace Appliance.Web.Services;

/// <summary>
/// Pushes the stored configuration into the running engine: the full list of enabled VHIDs, then the
/// persisted maintenance flags. The engine restarts only the VHIDs whose config changed, so an
/// unchanged MASTER keeps its VIP; then the health checks of the enabled VHIDs go to the health monitor.
/// Applies are serialized and always read the latest store.
/// </summary>
public sealed partial class EngineConfigurator(ICarpEngine engine, IApplianceStore store, HealthService health, StatusFeed feed,
    ScriptCatalog scripts, ILogger<EngineConfigurator> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The last apply's failure, or null when it succeeded.</summary>
    public string? LastError { get; private set; }

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stored = store.Vhids.GetAll();
            // Before the engine starts anything: the statuses it is about to publish link to their stored ids.
            feed.UseStoredIds(stored);
            var enabled = stored.Where(v => v.Enabled).ToList();
            var configs = new List<VhidConfig>(enabled.Count);
            foreach (var vhid in enabled)
            {
                try
                {
                    configs.Add(VhidMapper.ToConfig(vhid, scripts));
                }
                catch (FormatException ex)
                {
                    // Only reachable if the database was edited by hand: skip that VHID, keep the rest running.
                    LogInvalidStored(vhid.Key, ex.Message);
                }
            }
            try
            {
                await engine.ApplyAsync(configs, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Even after a partial failure, the VHIDs that did start get their persisted maintenance back,
                // and the checks run (they are not part of VhidConfig: changing them restarts no VHID).
                ReapplyMaintenance(enabled);
                health.Apply(enabled);
            }
            LastError = null;
            LogApplied(configs.Count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LastError = ex.Message;
            LogApplyFailed(ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void ReapplyMaintenance(IReadOnlyList<StoredVhid> enabled)
    {
        var running = engine.Snapshot().ToDictionary(s => s.Key, s => s.Maintenance, StringComparer.Ordinal);
        foreach (var vhid in enabled)
        {
            if (running.TryGetValue(vhid.Key, out var maintenance) && maintenance != vhid.Maintenance)
            {
                engine.SetMaintenance(vhid.Key, vhid.Maintenance);
            }
        }
    }
}
