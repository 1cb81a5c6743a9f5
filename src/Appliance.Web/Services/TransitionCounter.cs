using System.Collections.Concurrent;

namespace Appliance.Web.Services;

/// <summary>Transitions per VHID key since the process started (Prometheus counter semantics).</summary>
public sealed class TransitionCounter
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Increment(string key) => _counts.AddOrUpdate(key, 1, (_, n) => n + 1);

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_counts, StringComparer.Ordinal);
}
