using System.Diagnostics;

namespace Appliance.Engine.Hosting;

/// <summary>
/// The engine's clock: wall time and timestamps as <see cref="TimeProvider.System"/>, but timers fire on one
/// dedicated thread instead of the thread pool. An advert or a master-down expiry then never waits behind
/// queued web requests, Blazor circuits or LiteDB work (issue: adverts keep their interval within 10 ms
/// p99 while the REST API is under load). Callbacks must be short and must not block: the CARP state
/// machine's are (they send a datagram or queue a script).
/// </summary>
public sealed class EngineTimeProvider : TimeProvider, IDisposable
{
    private readonly object _lock = new();
    private readonly PriorityQueue<(EngineTimer Timer, long Version), long> _queue = new();
    private readonly Thread _thread;
    private bool _disposed;

    public EngineTimeProvider()
    {
        _thread = new Thread(Run)
        {
            IsBackground = true,
            Name = "carp-timers",
        };
        _thread.Start();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new EngineTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            Monitor.PulseAll(_lock);
        }
        _thread.Join(TimeSpan.FromSeconds(2));
    }

    private void Schedule(EngineTimer timer, long due, long version)
    {
        lock (_lock)
        {
            _queue.Enqueue((timer, version), due);
            // Wake the thread when this timer is now the earliest.
            if (_queue.TryPeek(out _, out var first) && first == due)
            {
                Monitor.Pulse(_lock);
            }
        }
    }

    private void Run()
    {
        Platform.Linux.RealtimeScheduling.TryRaiseCurrentThread();
        Platform.Linux.RealtimeScheduling.TryRaiseGcThreads();
        while (true)
        {
            EngineTimer? fire = null;
            lock (_lock)
            {
                while (fire is null)
                {
                    if (_disposed)
                    {
                        return;
                    }
                    if (!_queue.TryPeek(out var next, out var due))
                    {
                        Monitor.Wait(_lock);
                        continue;
                    }
                    if (next.Version != next.Timer.Version)
                    {
                        // Changed or disposed since it was queued.
                        _queue.Dequeue();
                        continue;
                    }
                    var now = Stopwatch.GetTimestamp();
                    if (now < due)
                    {
                        var wait = Stopwatch.GetElapsedTime(now, due);
                        // Monitor.Wait has millisecond granularity: round up, never fire early.
                        Monitor.Wait(_lock, TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)));
                        continue;
                    }
                    _queue.Dequeue();
                    fire = next.Timer;
                    if (fire.Period > TimeSpan.Zero)
                    {
                        // Periodic: drift-free (next = this due + period) unless we fell a whole period behind.
                        var nextDue = due + (long)(fire.Period.TotalSeconds * Stopwatch.Frequency);
                        if (nextDue <= now)
                        {
                            nextDue = now + (long)(fire.Period.TotalSeconds * Stopwatch.Frequency);
                        }
                        _queue.Enqueue((fire, next.Version), nextDue);
                    }
                }
            }
            try
            {
                fire.Invoke();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A throwing callback is a bug, but it must not stop every other VHID's timers: report it loudly.
                Console.Error.WriteLine($"carp-timers: a timer callback failed: {ex}");
            }
        }
    }

    private sealed class EngineTimer(EngineTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private long _version;

        public long Version => Volatile.Read(ref _version);

        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            long version;
            lock (owner._lock)
            {
                if (_version < 0)
                {
                    return false;
                }
                version = ++_version;
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            }
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                var due = Stopwatch.GetTimestamp() + (long)(dueTime.TotalSeconds * Stopwatch.Frequency);
                owner.Schedule(this, due, version);
            }
            return true;
        }

        public void Invoke() => callback(state);

        public void Dispose()
        {
            lock (owner._lock)
            {
                _version = long.MinValue;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
