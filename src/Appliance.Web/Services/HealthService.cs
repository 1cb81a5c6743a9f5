using System.Threading.Channels;
using Appliance.Engine.Diagnostics;
using Appliance.Engine.Health;
using Appliance.Engine.Hosting;
using Appliance.Engine.StateMachine;
using Appliance.Web.Storage;

namespace Appliance.Web.Services;

/// <summary>Something the engine host pushes to the hub and the dashboard: a history entry and/or a VHID whose checks changed.</summary>
public sealed record HealthNotice(string Key, TransitionDto? Entry);

/// <summary>
/// The web side of the health checks: hands the saved checks of the enabled VHIDs to the
/// <see cref="HealthMonitor"/> (which demotes through the engine), records in the history when a check starts
/// or stops demoting a node ("Demoted: HTTP check web: GET ... returned 503, expected 200 (3 failures in a row)"),
/// and queues notices for the engine host to push.
/// </summary>
public sealed partial class HealthService : IDisposable
{
    private readonly HealthMonitor _monitor;
    private readonly ICarpEngine _engine;
    private readonly HistoryService _history;
    private readonly ILogger<HealthService> _logger;
    private readonly ScriptCatalog _scripts;
    private readonly Lock _lock = new();
    /// <summary>(key, check name) pairs whose demotion is recorded as started and not yet as cleared.</summary>
    private readonly HashSet<(string Key, string Name)> _demoting = [];
    private readonly Channel<HealthNotice> _notices = Channel.CreateBounded<HealthNotice>(new BoundedChannelOptions(4096)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    public HealthService(HealthMonitor monitor, ICarpEngine engine, HistoryService history, ScriptCatalog scripts, ILogger<HealthService> logger)
    {
        _scripts = scripts;
        _monitor = monitor;
        _engine = engine;
        _history = history;
        _logger = logger;
        _monitor.Changed += OnChanged;
    }

    /// <summary>Read by the engine host: entries to push and VHIDs whose status (checks) changed.</summary>
    public ChannelReader<HealthNotice> Notices => _notices.Reader;

    /// <summary>The checks of one VHID with their last results, in configured order.</summary>
    public IReadOnlyList<HealthCheckStatus> Snapshot(string key) => _monitor.Snapshot(key);

    public IReadOnlyDictionary<string, IReadOnlyList<HealthCheckStatus>> Snapshot() => _monitor.Snapshot();

    /// <summary>
    /// Replaces the running check set with the checks of <paramref name="enabled"/> (keyed by VHID key). Unchanged
    /// checks keep running with their counts; a removed or changed check that was demoting is recorded as cleared.
    /// </summary>
    public void Apply(IReadOnlyList<StoredVhid> enabled)
    {
        var checks = new Dictionary<string, IReadOnlyList<HealthCheckConfig>>(StringComparer.Ordinal);
        foreach (var vhid in enabled)
        {
            var list = new List<HealthCheckConfig>();
            foreach (var check in vhid.Checks)
            {
                try
                {
                    list.Add(VhidMapper.ToHealthCheck(check, _scripts));
                }
                catch (FormatException ex)
                {
                    // Only reachable if the database was edited by hand.
                    LogInvalidCheck(vhid.Key, ex.Message);
                }
            }
            if (list.Count > 0)
            {
                checks[vhid.Key] = list;
            }
        }
        lock (_lock)
        {
            _monitor.Apply(checks);
            var running = _monitor.Snapshot();
            foreach (var (key, name) in _demoting.ToList())
            {
                var now = running.GetValueOrDefault(key)?.FirstOrDefault(c => c.Name == name);
                if (now is null || now.Healthy)
                {
                    _demoting.Remove((key, name));
                    var why = now is null ? "removed" : "changed";
                    Record(key, started: false, $"Demotion cleared: check {name} {why}");
                }
            }
            foreach (var key in checks.Keys)
            {
                _notices.Writer.TryWrite(new HealthNotice(key, null));
            }
        }
    }

    /// <summary>Stops every check (their demotions are lifted).</summary>
    public async Task StopAsync() => await _monitor.DisposeAsync().ConfigureAwait(false);

    public void Dispose() => _monitor.Changed -= OnChanged;

    private void OnChanged(HealthCheckStatus status)
    {
        lock (_lock)
        {
            var id = (status.Key, status.Name);
            if (!status.Healthy && _demoting.Add(id))
            {
                Record(status.Key, started: true, $"Demoted: {status.DemotionReason ?? status.LastResult}");
            }
            else if (status.Healthy && _demoting.Remove(id))
            {
                Record(status.Key, started: false, $"Demotion cleared: check {status.Name} healthy again");
            }
            else
            {
                _notices.Writer.TryWrite(new HealthNotice(status.Key, null));
            }
        }
    }

    private void Record(string key, bool started, string line)
    {
        var running = _engine.Snapshot().FirstOrDefault(s => s.Key == key);
        var iface = running?.Config.Interface ?? key.Split('/')[0];
        var vhid = running?.Config.Vhid ?? (int.TryParse(key.Split('/')[^1], out var n) ? n : 0);
        try
        {
            var entry = _history.AppendDemotion(key, iface, vhid, running?.State ?? CarpState.Init, started, line);
            _notices.Writer.TryWrite(new HealthNotice(key, entry));
        }
        catch (Exception ex) when (ex is LiteDB.LiteException or IOException or ObjectDisposedException)
        {
            LogRecordFailed(ex, key);
        }
    }

    [LoggerMessage(EventId = LogEventIds.WebServices + 21, Level = LogLevel.Error, Message = "{Key}: stored check skipped: {Error}")]
    private partial void LogInvalidCheck(string key, string error);

    [LoggerMessage(EventId = LogEventIds.WebServices + 22, Level = LogLevel.Error, Message = "{Key}: could not record a demotion in the history")]
    private partial void LogRecordFailed(Exception exception, string key);
}
