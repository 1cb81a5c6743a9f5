using System.Runtime.CompilerServices;
using Appliance.Engine.Hosting;
using Appliance.Engine.StateMachine;

namespace Appliance.Web.Hosting;

/// <summary>
/// TEMPORARY stand-in until Appliance.Engine.Hosting.CarpEngine lands: keeps the applied VHIDs in INIT
/// and sends nothing. Delete together with <see cref="PlaceholderDataPlane"/> when the engine arrives.
/// </summary>
internal sealed class PlaceholderCarpEngine(TimeProvider timeProvider) : ICarpEngine
{
    private volatile IReadOnlyList<VhidStatus> _statuses = [];

    public IReadOnlyList<VhidStatus> Snapshot() => _statuses;

    public async IAsyncEnumerable<EngineEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        yield break;
    }

    public Task ApplyAsync(IReadOnlyList<VhidConfig> configs, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        _statuses = configs.Select(c => new VhidStatus(c.Key, c, CarpState.Init, now, null, VhidCounters.Empty, false, null, "placeholder engine: not running")).ToList();
        return Task.CompletedTask;
    }

    public bool SetMaintenance(string key, bool enabled) => _statuses.Any(s => s.Key == key);

    public bool SetDemotion(string key, string source, string? reason) => _statuses.Any(s => s.Key == key);
}
