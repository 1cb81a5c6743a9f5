namespace Appliance.Engine.Hosting;

/// <summary>
/// One subscriber's buffer of engine events (docs/limits.md, Event stream). Writing never blocks the engine.
/// Up to <see cref="Capacity"/> events everything is kept in order. Beyond it the subscriber has fallen behind,
/// and only what is superseded goes: a VHID's newer <see cref="EngineEvent.StatusChanged"/> replaces its older
/// one still waiting (a status is a whole snapshot, so nothing is lost; the newer one takes the older one's
/// place at the tail, after every event published before it), while transitions, split brain changes and
/// removals are all kept: the history is recorded from them, and the state machine makes them rare. Only past
/// <see cref="HardLimit"/> (a subscriber that stopped reading) is the oldest event dropped, and then the
/// reader gets an <see cref="EngineEvent.EventsLost"/> counting what went, right where the gap is: never a
/// silent loss.
/// </summary>
internal sealed class EngineEventQueue
{
    /// <summary>Events kept as they come; beyond this, statuses are coalesced per VHID.</summary>
    public const int Capacity = 4096;

    /// <summary>Events kept at most; beyond this the oldest is dropped and counted.</summary>
    public const int HardLimit = 65_536;

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly LinkedList<EngineEvent> _events = new();
    // The newest waiting status of each VHID, the one a newer status replaces.
    private readonly Dictionary<string, LinkedListNode<EngineEvent>> _statuses = new(StringComparer.Ordinal);
    private long _lostTransitions;
    private long _lostOthers;
    private long _superseded;
    private bool _completed;

    /// <summary>Waiting statuses replaced by a newer one of the same VHID, since the subscription began.</summary>
    public long Superseded
    {
        get
        {
            lock (_lock)
            {
                return _superseded;
            }
        }
    }

    public void Write(EngineEvent engineEvent)
    {
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }
            if (engineEvent is EngineEvent.StatusChanged status)
            {
                var key = status.Status.Key;
                if (_events.Count >= Capacity && _statuses.TryGetValue(key, out var older))
                {
                    _events.Remove(older);
                    _superseded++;
                }
                if (_events.Count >= HardLimit)
                {
                    DropOldest();
                }
                _statuses[key] = _events.AddLast(engineEvent);
            }
            else
            {
                if (_events.Count >= HardLimit)
                {
                    DropOldest();
                }
                _events.AddLast(engineEvent);
            }
            Wake();
        }
    }

    /// <summary>No more events: the reader gets what is waiting, then the end.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            Wake();
        }
    }

    /// <summary>The next event (an <see cref="EngineEvent.EventsLost"/> first where events were dropped); null once completed and drained.</summary>
    public async ValueTask<EngineEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_lock)
            {
                if (_lostTransitions + _lostOthers > 0)
                {
                    var lost = new EngineEvent.EventsLost(_lostTransitions, _lostOthers);
                    _lostTransitions = 0;
                    _lostOthers = 0;
                    return lost;
                }
                if (_events.Count > 0)
                {
                    return RemoveFirstLocked();
                }
                if (_completed)
                {
                    return null;
                }
            }
            await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Under the lock: at most one release pending, so the semaphore never overflows.</summary>
    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>Under the lock: takes the oldest event off, and off the status index if it is its VHID's newest status.</summary>
    private EngineEvent RemoveFirstLocked()
    {
        var first = _events.First!;
        _events.RemoveFirst();
        if (first.Value is EngineEvent.StatusChanged status && _statuses.TryGetValue(status.Status.Key, out var newest) && newest == first)
        {
            _statuses.Remove(status.Status.Key);
        }
        return first.Value;
    }

    /// <summary>Under the lock, at <see cref="HardLimit"/>: the oldest event goes, counted for the reader's notice.</summary>
    private void DropOldest()
    {
        if (RemoveFirstLocked() is EngineEvent.Transitioned)
        {
            _lostTransitions++;
        }
        else
        {
            _lostOthers++;
        }
    }
}
