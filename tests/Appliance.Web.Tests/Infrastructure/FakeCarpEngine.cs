using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Appliance.Engine.Hosting;
using Appliance.Engine.StateMachine;

namespace Appliance.Web.Tests.Infrastructure;

/// <summary>
/// An engine double for the web side: records what the appliance applies and lets a test raise
/// engine events (a transition) that the host must record and push.
/// </summary>
public sealed class FakeCarpEngine(TimeProvider timeProvider) : ICarpEngine
{
    private readonly ConcurrentDictionary<Channel<EngineEvent>, bool> _subscribers = new();
    private readonly ConcurrentDictionary<string, VhidStatus> _statuses = new();

    public ConcurrentQueue<IReadOnlyList<VhidConfig>> Applied { get; } = new();
    public ConcurrentDictionary<string, bool> MaintenanceCalls { get; } = new();
    public int SubscriberCount => _subscribers.Count;

    public IReadOnlyList<VhidStatus> Snapshot() => _statuses.Values.ToList();

    public async IAsyncEnumerable<EngineEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<EngineEvent>();
        _subscribers[channel] = true;
        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            _subscribers.TryRemove(channel, out _);
        }
    }

    public Task ApplyAsync(IReadOnlyList<VhidConfig> configs, CancellationToken cancellationToken)
    {
        Applied.Enqueue(configs);
        foreach (var key in _statuses.Keys.Where(k => configs.All(c => c.Key != k)))
        {
            _statuses.TryRemove(key, out _);
            Publish(new EngineEvent.Removed(key));
        }
        foreach (var config in configs)
        {
            _statuses.AddOrUpdate(
                config.Key,
                _ => new VhidStatus(config.Key, config, CarpState.Init, timeProvider.GetUtcNow(), null, VhidCounters.Empty, false, null, null),
                (_, old) => old with { Config = config });
        }
        return Task.CompletedTask;
    }

    public bool SetMaintenance(string key, bool enabled)
    {
        MaintenanceCalls[key] = enabled;
        if (_statuses.TryGetValue(key, out var status))
        {
            _statuses[key] = status with { Maintenance = enabled };
            return true;
        }
        return false;
    }

    public bool SetDemotion(string key, string source, string? reason) => _statuses.ContainsKey(key);

    /// <summary>Moves a VHID to <paramref name="to"/> and tells every subscriber, as the engine would.</summary>
    public void RaiseTransition(string key, CarpState to, TransitionCause cause, DateTimeOffset? at = null)
    {
        var status = _statuses[key];
        var record = new TransitionRecord(at ?? timeProvider.GetUtcNow(), key, status.Config.Interface, status.Config.Vhid, status.State, to, cause,
            $"[{key}] Switching to state: {to.ToWire()}");
        var updated = status with { State = to, Since = record.At };
        _statuses[key] = updated;
        Publish(new EngineEvent.Transitioned(record));
        Publish(new EngineEvent.StatusChanged(updated));
    }

    /// <summary>A valid advert from another node: the VHID's last peer.</summary>
    public void RaisePeer(string key, PeerInfo peer)
    {
        var updated = _statuses[key] with { LastPeer = peer };
        _statuses[key] = updated;
        Publish(new EngineEvent.StatusChanged(updated));
    }

    private void Publish(EngineEvent engineEvent)
    {
        foreach (var channel in _subscribers.Keys)
        {
            channel.Writer.TryWrite(engineEvent);
        }
    }
}
