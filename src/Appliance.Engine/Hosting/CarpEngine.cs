using System.Runtime.CompilerServices;
using Appliance.Engine.Diagnostics;
using Appliance.Engine.StateMachine;
using Appliance.Engine.Transport;
using Microsoft.Extensions.Logging;

namespace Appliance.Engine.Hosting;

/// <summary>
/// Runs any number of VHIDs in one process (ucarp needs one process per VIP). Applies whole
/// configurations by difference (YARP's config-swap pattern): equal VHIDs keep running untouched,
/// changed ones restart, removed ones stop gracefully. Fans events out to subscribers without
/// ever blocking the engine.
/// </summary>
public sealed partial class CarpEngine : ICarpEngine, IAsyncDisposable
{
    private readonly IDataPlane _dataPlane;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _applyGate = new(1, 1);
    private readonly Lock _subscribersLock = new();
    private readonly List<EngineEventQueue> _subscribers = [];
    private volatile Dictionary<string, CarpInstance> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _maintenance = new(StringComparer.Ordinal);
    private IDisposable? _linkWatch;

    public CarpEngine(IDataPlane dataPlane, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        _dataPlane = dataPlane;
        _time = timeProvider;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<CarpEngine>();
    }

    /// <summary>How long a stopping MASTER waits for a peer to claim the VIP before releasing it anyway.</summary>
    public static TimeSpan PeerWait(VhidConfig config)
    {
        // Two advert intervals: a live backup answers a bow-out within milliseconds; this only bounds the
        // wait when there is no peer at all.
        var wait = CarpTiming.AdvertInterval(config.AdvBase, config.AdvSkew) * 2;
        return wait < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100) : wait > TimeSpan.FromSeconds(3) ? TimeSpan.FromSeconds(3) : wait;
    }

    public IReadOnlyList<VhidStatus> Snapshot() => _instances.Values.Select(i => i.Status()).OrderBy(s => s.Config.Interface, StringComparer.Ordinal).ThenBy(s => s.Config.Vhid).ToList();

    public async IAsyncEnumerable<EngineEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Bounded without dropping transitions (EngineEventQueue; docs/limits.md, Event stream).
        var queue = new EngineEventQueue();
        lock (_subscribersLock)
        {
            _subscribers.Add(queue);
        }
        try
        {
            while (await queue.ReadAsync(cancellationToken).ConfigureAwait(false) is { } e)
            {
                yield return e;
            }
        }
        finally
        {
            lock (_subscribersLock)
            {
                _subscribers.Remove(queue);
            }
        }
    }

    public async Task ApplyAsync(IReadOnlyList<VhidConfig> configs, CancellationToken cancellationToken)
    {
        var duplicates = configs.GroupBy(c => c.Key).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new ArgumentException($"duplicate vhid on the same interface: {string.Join(", ", duplicates)}", nameof(configs));
        }
        await _applyGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _linkWatch ??= configs.Count > 0 ? _dataPlane.WatchLinks(OnLinkChanged) : null;
            var current = _instances;
            var next = new Dictionary<string, CarpInstance>(StringComparer.Ordinal);
            var toStop = new List<CarpInstance>();
            var toStart = new List<CarpInstance>();
            foreach (var config in configs)
            {
                if (current.TryGetValue(config.Key, out var running) && running.Config == config)
                {
                    next[config.Key] = running;
                    continue;
                }
                if (running is not null)
                {
                    toStop.Add(running);
                }
                var instance = new CarpInstance(config, _dataPlane, _time, _loggerFactory, Publish);
                next[config.Key] = instance;
                toStart.Add(instance);
            }
            foreach (var (key, running) in current)
            {
                if (!next.ContainsKey(key))
                {
                    toStop.Add(running);
                }
            }
            // Stop first (a changed VHID re-opens the same vhid on the same interface), in parallel.
            await Task.WhenAll(toStop.Select(StopInstanceAsync)).ConfigureAwait(false);
            foreach (var removed in current.Keys.Where(k => !next.ContainsKey(k)))
            {
                Publish(new EngineEvent.Removed(removed));
            }
            var failures = new List<string>();
            foreach (var instance in toStart)
            {
                try
                {
                    instance.Start();
                    bool on;
                    lock (_maintenance)
                    {
                        on = _maintenance.GetValueOrDefault(instance.Config.Key);
                    }
                    if (on)
                    {
                        instance.SetMaintenance(true);
                    }
                }
                catch (Exception ex) when (ex is PlatformException or InvalidOperationException or ArgumentException)
                {
                    LogStartFailed(instance.Config.Key, ex.Message);
                    failures.Add($"{instance.Config.Key}: {ex.Message}");
                    next.Remove(instance.Config.Key);
                    await instance.DisposeAsync().ConfigureAwait(false);
                }
            }
            _instances = next;
            if (failures.Count > 0)
            {
                throw new InvalidOperationException(string.Join("; ", failures));
            }
        }
        finally
        {
            _applyGate.Release();
        }
    }

    public bool SetMaintenance(string key, bool enabled)
    {
        lock (_maintenance)
        {
            _maintenance[key] = enabled;
        }
        if (!_instances.TryGetValue(key, out var instance))
        {
            return false;
        }
        instance.SetMaintenance(enabled);
        return true;
    }

    public bool SetDemotion(string key, string source, string? reason)
    {
        if (!_instances.TryGetValue(key, out var instance))
        {
            return false;
        }
        instance.SetDemotion(source, reason);
        return true;
    }

    /// <summary>ucarp's SIGUSR1: per VHID its line ("MASTER on eth0 id 42"), then one of counters (<see cref="CarpInstance.DescribeCounters"/>).</summary>
    public IReadOnlyList<string> Describe() => _instances.Values.SelectMany(i => new[] { i.Describe(), i.DescribeCounters() }).ToList();

    /// <summary>ucarp's SIGUSR2: every MASTER steps down and stays quiet for 3 s.</summary>
    public void ForceBackup()
    {
        foreach (var instance in _instances.Values)
        {
            instance.ForceBackup(TimeSpan.FromSeconds(3));
        }
    }

    /// <summary>Graceful stop of every VHID (bow-out, VIP released after the peer claims it).</summary>
    public async ValueTask DisposeAsync()
    {
        await _applyGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var all = _instances.Values.ToList();
            _instances = new Dictionary<string, CarpInstance>(StringComparer.Ordinal);
            await Task.WhenAll(all.Select(StopInstanceAsync)).ConfigureAwait(false);
            _linkWatch?.Dispose();
            _linkWatch = null;
        }
        finally
        {
            _applyGate.Release();
        }
        lock (_subscribersLock)
        {
            foreach (var s in _subscribers)
            {
                s.Complete();
            }
        }
    }

    private async Task StopInstanceAsync(CarpInstance instance)
    {
        await instance.StopAsync(PeerWait(instance.Config)).ConfigureAwait(false);
        await instance.DisposeAsync().ConfigureAwait(false);
    }

    private void OnLinkChanged(string interfaceName, bool up)
    {
        foreach (var instance in _instances.Values)
        {
            if (instance.Config.Interface == interfaceName)
            {
                instance.OnLinkChanged(up);
            }
        }
    }

    private void Publish(EngineEvent e)
    {
        lock (_subscribersLock)
        {
            foreach (var s in _subscribers)
            {
                s.Write(e);
            }
        }
    }

    [LoggerMessage(EventId = LogEventIds.EngineHosting + 20, Level = LogLevel.Error, Message = "VHID {Key} could not start: {Error}")]
    private partial void LogStartFailed(string key, string error);
}
