using System.Net;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Appliance.Engine.Hosting;
using Appliance.Engine.StateMachine;

namespace Appliance.Testing;

/// <summary>
/// An engine double: records what is applied, maintenance and demotions, and lets a test raise engine
/// events (a transition) that the web host must record and push. A VHID exists once applied.
/// </summary>
public sealed class FakeCarpEngine(TimeProvider? timeProvider = null) : ICarpEngine
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ConcurrentDictionary<Channel<EngineEvent>, bool> _subscribers = new();
    private readonly ConcurrentDictionary<string, VhidStatus> _statuses = new();

    public ConcurrentQueue<IReadOnlyList<VhidConfig>> Applied { get; } = new();
    public ConcurrentDictionary<string, bool> MaintenanceCalls { get; } = new();
    public int SubscriberCount => _subscribers.Count;

    public sealed record Demotion(string Key, string Source, string? Reason);

    /// <summary>Every SetDemotion call, known VHID or not, in order.</summary>
    public ConcurrentQueue<Demotion> Demotions { get; } = new();

    /// <summary>Called on each SetDemotion after it is recorded, on the caller's thread.</summary>
    public Action<Demotion>? Demoted { get; set; }

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

    /// <summary>For code that only demotes (the health monitor): makes "eth0/3" exist as if applied.</summary>
    public FakeCarpEngine WithVhid(string key)
    {
        var (name, vhid) = (key[..key.IndexOf('/', StringComparison.Ordinal)], byte.Parse(key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        var config = new VhidConfig { Interface = name, Vhid = vhid, Password = "secret", VirtualAddress = System.Net.IPAddress.Parse($"198.18.0.{vhid}") };
        _statuses[key] = new VhidStatus(key, config, CarpState.Init, _time.GetUtcNow(), null, VhidCounters.Empty, false, []);
        return this;
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
                _ => new VhidStatus(config.Key, config, CarpState.Init, _time.GetUtcNow(), null, VhidCounters.Empty, false, []),
                (_, old) => old with { Config = config });
        }
        return Task.CompletedTask;
    }

    public bool SetMaintenance(string key, bool enabled)
    {
        MaintenanceCalls[key] = enabled;
        if (_statuses.TryGetValue(key, out var status))
        {
            // As the engine does: the new status to every subscriber.
            var updated = status with { Maintenance = enabled };
            _statuses[key] = updated;
            Publish(new EngineEvent.StatusChanged(updated));
            return true;
        }
        return false;
    }

    public bool SetDemotion(string key, string source, string? reason)
    {
        var demotion = new Demotion(key, source, reason);
        Demotions.Enqueue(demotion);
        Demoted?.Invoke(demotion);
        return _statuses.ContainsKey(key);
    }

    /// <summary>Moves a VHID to <paramref name="to"/> and tells every subscriber, as the engine would.</summary>
    public void RaiseTransition(string key, CarpState to, TransitionCause cause, DateTimeOffset? at = null)
    {
        var status = _statuses[key];
        var record = new TransitionRecord(at ?? _time.GetUtcNow(), key, status.Config.Interface, status.Config.Vhid, status.State, to, cause,
            $"[{key}] Switching to state: {to.ToWire()}");
        var updated = status with { State = to, Since = record.At };
        _statuses[key] = updated;
        Publish(new EngineEvent.Transitioned(record));
        Publish(new EngineEvent.StatusChanged(updated));
    }

    /// <summary>A split brain seen (status shows it) or resolved, as the engine reports it.</summary>
    public void RaiseSplitBrain(string key, IPAddress otherMaster, bool resolved)
    {
        var status = _statuses[key];
        var line = $"split brain: another MASTER ({otherMaster}) seen{(resolved ? "; resolved" : "")}";
        var updated = status with { SplitBrain = resolved ? null : new SplitBrainInfo(otherMaster, _time.GetUtcNow()) };
        _statuses[key] = updated;
        Publish(new EngineEvent.SplitBrainChanged(new SplitBrainRecord(_time.GetUtcNow(), key, status.Config.Interface, status.Config.Vhid,
            otherMaster, resolved, status.State, line)));
        Publish(new EngineEvent.StatusChanged(updated));
    }

    /// <summary>What the engine tells a subscriber whose buffer overflowed (docs/limits.md, Event stream).</summary>
    public void RaiseEventsLost(long transitions, long others) => Publish(new EngineEvent.EventsLost(transitions, others));

    /// <summary>The VHID's interface lost (or got back) its carrier, as the engine reports it: the event, then the status.</summary>
    public void RaiseCarrier(string key, bool up)
    {
        var status = _statuses[key];
        var (_, line) = CarpNoticeText.Carrier(status.Config.Interface, up, atStart: false, ignored: false);
        var updated = status with { Carrier = up };
        _statuses[key] = updated;
        Publish(new EngineEvent.CarrierChanged(new CarrierRecord(_time.GetUtcNow(), key, status.Config.Interface, status.Config.Vhid, up, status.State, line)));
        Publish(new EngineEvent.StatusChanged(updated));
    }

    /// <summary>Flap damping suppressed the VHID (the status shows it) or released it, as the engine reports it.</summary>
    public void RaiseFlap(string key, bool suppressed, double penalty, string line)
    {
        var status = _statuses[key];
        var updated = status with { Flapping = new FlapStatus(suppressed, suppressed ? _time.GetUtcNow() : null, penalty) };
        _statuses[key] = updated;
        Publish(new EngineEvent.FlapChanged(new FlapRecord(_time.GetUtcNow(), key, status.Config.Interface, status.Config.Vhid,
            suppressed, status.State, penalty, line)));
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
