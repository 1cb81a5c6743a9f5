using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Appliance.Engine.Hosting;
using Appliance.Engine.StateMachine;

namespace Appliance.Engine.Tests.Health;

/// <summary>Records demotions; everything else is not used by the health monitor.</summary>
internal sealed class FakeCarpEngine : ICarpEngine
{
    public sealed record Demotion(string Key, string Source, string? Reason, int ProbeCalls);

    public ConcurrentQueue<Demotion> Demotions { get; } = new();
    public Func<int> ProbeCalls { get; set; } = () => 0;
    /// <summary>How many SetDemotion calls answer "no such VHID" before it exists.</summary>
    public int UnknownFor { get; set; }

    public bool SetDemotion(string key, string source, string? reason)
    {
        Demotions.Enqueue(new Demotion(key, source, reason, ProbeCalls()));
        if (UnknownFor > 0)
        {
            UnknownFor--;
            return false;
        }
        return true;
    }

    public IReadOnlyList<VhidStatus> Snapshot() => [];

    public async IAsyncEnumerable<EngineEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        yield break;
    }

    public Task ApplyAsync(IReadOnlyList<VhidConfig> configs, CancellationToken cancellationToken) => Task.CompletedTask;

    public bool SetMaintenance(string key, bool enabled) => true;
}
