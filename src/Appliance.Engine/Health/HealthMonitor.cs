using Appliance.Engine.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Engine.Health;

/// <summary>
/// Runs each VHID's checks on <see cref="TimeProvider"/> delays and demotes the VHID through
/// <see cref="ICarpEngine.SetDemotion"/> (source <c>"check NAME"</c>) while a check is failed; a recovered,
/// removed or disposed check restores it. A MASTER that is demoted hands over to a healthy peer and a demoted
/// node does not preempt: that is the engine's side.
/// </summary>
public sealed partial class HealthMonitor : IAsyncDisposable
{
    private sealed class Runner(string key, HealthCheckConfig config)
    {
        public string Key { get; } = key;
        public HealthCheckState State { get; } = new(config);
        public CancellationTokenSource Stop { get; } = new();
        public Task Loop { get; set; } = Task.CompletedTask;
        /// <summary>False while the engine has not accepted the current demotion (its VHID may not exist yet).</summary>
        public bool Delivered { get; set; } = true;
    }

    private readonly ICarpEngine _engine;
    private readonly IHealthProbe _probe;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly List<Runner> _stopped = [];
    private Dictionary<string, List<Runner>> _runners = new(StringComparer.Ordinal);
    private bool _disposed;

    public HealthMonitor(ICarpEngine engine, IHealthProbe probe, TimeProvider timeProvider, ILogger<HealthMonitor>? logger = null)
    {
        _engine = engine;
        _probe = probe;
        _time = timeProvider;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>After every run of a check (its last result and run time change each time).</summary>
    public event Action<HealthCheckStatus>? Changed;

    /// <summary>
    /// Replaces the whole check set, keyed by VHID key. A check whose config is equal keeps running with its
    /// counts; a changed one starts afresh (healthy); a removed one stops and lifts its demotion.
    /// </summary>
    /// <exception cref="ArgumentException">A check is invalid or a name repeats within a VHID; nothing is applied.</exception>
    public void Apply(IReadOnlyDictionary<string, IReadOnlyList<HealthCheckConfig>> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        var errors = new List<string>();
        foreach (var (key, list) in checks)
        {
            foreach (var check in list)
            {
                errors.AddRange(check.Validate().Select(e => $"{key} check '{check.Name}': {e}"));
            }
            errors.AddRange(list.GroupBy(c => c.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"{key}: check name '{g.Key}' is used twice"));
        }
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(checks));
        }

        var started = new List<Runner>();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var done in _stopped.Where(r => r.Loop.IsCompleted).ToList())
            {
                done.Stop.Dispose();
                _stopped.Remove(done);
            }
            var next = new Dictionary<string, List<Runner>>(StringComparer.Ordinal);
            var kept = new HashSet<Runner>();
            foreach (var (key, list) in checks)
            {
                var current = _runners.GetValueOrDefault(key) ?? [];
                var runners = new List<Runner>();
                foreach (var check in list)
                {
                    var same = current.FirstOrDefault(r => r.State.Config == check);
                    if (same is not null)
                    {
                        kept.Add(same);
                        runners.Add(same);
                    }
                    else
                    {
                        var runner = new Runner(key, check);
                        runners.Add(runner);
                        started.Add(runner);
                    }
                }
                next[key] = runners;
            }
            foreach (var old in _runners.Values.SelectMany(r => r).Where(r => !kept.Contains(r)))
            {
                StopLocked(old);
            }
            _runners = next;
            foreach (var runner in started)
            {
                runner.Loop = Task.Run(() => LoopAsync(runner));
            }
        }
    }

    /// <summary>The checks of one VHID, in configured order; empty when it has none.</summary>
    public IReadOnlyList<HealthCheckStatus> Snapshot(string key)
    {
        lock (_lock)
        {
            return _runners.TryGetValue(key, out var runners) ? runners.Select(ToStatus).ToList() : [];
        }
    }

    /// <summary>Every VHID's checks.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<HealthCheckStatus>> Snapshot()
    {
        lock (_lock)
        {
            return _runners.ToDictionary(p => p.Key, p => (IReadOnlyList<HealthCheckStatus>)p.Value.Select(ToStatus).ToList(), StringComparer.Ordinal);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Runner> all;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            foreach (var runner in _runners.Values.SelectMany(r => r))
            {
                StopLocked(runner);
            }
            _runners = new Dictionary<string, List<Runner>>(StringComparer.Ordinal);
            all = [.. _stopped];
            _stopped.Clear();
        }
        await Task.WhenAll(all.Select(r => r.Loop)).ConfigureAwait(false);
        foreach (var runner in all)
        {
            runner.Stop.Dispose();
        }
    }

    private void StopLocked(Runner runner)
    {
        runner.Stop.Cancel();
        _stopped.Add(runner);
        if (!runner.State.Healthy)
        {
            _engine.SetDemotion(runner.Key, HealthCheckStatus.SourceFor(runner.State.Config.Name), null);
            LogLifted(_logger, runner.Key, runner.State.Config.Name);
        }
    }

    private async Task LoopAsync(Runner runner)
    {
        var check = runner.State.Config;
        var stop = runner.Stop.Token;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var result = await RunOnceAsync(check, stop).ConfigureAwait(false);
                Record(runner, result);
                await Task.Delay(check.Interval, _time, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped by Apply or DisposeAsync.
        }
    }

    private async Task<HealthProbeResult> RunOnceAsync(HealthCheckConfig check, CancellationToken stop)
    {
        using var timeout = new CancellationTokenSource(check.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        try
        {
            return await _probe.ProbeAsync(check, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return HealthProbeResult.Failed($"{Describe(check)} timed out after {check.Timeout.TotalSeconds:0.###} s");
        }
    }

    private static string Describe(HealthCheckConfig check) => check.Kind switch
    {
        HealthCheckKind.Http => $"GET {check.Target}",
        HealthCheckKind.Tcp => $"connect to {check.Target}",
        _ => check.Target,
    };

    private void Record(Runner runner, HealthProbeResult result)
    {
        HealthCheckStatus status;
        lock (_lock)
        {
            if (runner.Stop.IsCancellationRequested)
            {
                return;
            }
            var wasHealthy = runner.State.Healthy;
            var changed = runner.State.Record(result, _time.GetUtcNow());
            if (changed || !runner.Delivered)
            {
                runner.Delivered = _engine.SetDemotion(runner.Key, HealthCheckStatus.SourceFor(runner.State.Config.Name), runner.State.DemotionReason);
            }
            if (wasHealthy && !runner.State.Healthy)
            {
                LogFailed(_logger, runner.Key, runner.State.DemotionReason!);
            }
            else if (!wasHealthy && runner.State.Healthy)
            {
                LogRecovered(_logger, runner.Key, runner.State.LastSentence!);
            }
            status = ToStatus(runner);
        }
        try
        {
            Changed?.Invoke(status);
        }
        catch (Exception ex)
        {
            // A subscriber's bug must not stop the check that demotes the node.
            LogSubscriberFailed(_logger, ex, status.Key, status.Name);
        }
    }

    private static HealthCheckStatus ToStatus(Runner runner)
    {
        var s = runner.State;
        return new HealthCheckStatus(runner.Key, s.Config.Name, s.Config.Kind, s.Config.Target, s.Healthy, s.LastSentence, s.LastRun,
            s.ConsecutiveSuccesses, s.ConsecutiveFailures, s.DemotionReason);
    }
}
