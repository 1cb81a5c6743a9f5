using Appliance.Engine.StateMachine;

namespace Appliance.Engine.Hosting;

/// <summary>
/// The one interface the web side (REST API, SignalR hub, Blazor pages) reads the engine through:
/// a snapshot plus a change subscription, and the few commands an admin can give.
/// </summary>
public interface ICarpEngine
{
    /// <summary>Every configured VHID, now.</summary>
    IReadOnlyList<VhidStatus> Snapshot();

    /// <summary>
    /// Events from now on, until <paramref name="cancellationToken"/> fires. Each subscriber has its own
    /// bounded buffer, so a slow reader never blocks the engine: past 4096 waiting events a VHID's newer status
    /// replaces its older one, while every transition is kept; only a reader 65,536 events behind loses the
    /// oldest, and is told so by an <see cref="EngineEvent.EventsLost"/> (docs/limits.md, Event stream).
    /// </summary>
    IAsyncEnumerable<EngineEvent> WatchAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Applies a whole configuration. VHIDs whose config is equal are left running (a MASTER keeps its VIP);
    /// changed ones restart; missing ones stop gracefully. Nothing is advertised for an empty list.
    /// </summary>
    Task ApplyAsync(IReadOnlyList<VhidConfig> configs, CancellationToken cancellationToken);

    /// <summary>Persistent maintenance: hand the VIP to a peer and keep it that way until released.</summary>
    bool SetMaintenance(string key, bool enabled);

    /// <summary>Demotes (reason non-null) or restores (null) a VHID on behalf of <paramref name="source"/> (e.g. a health check).</summary>
    bool SetDemotion(string key, string source, string? reason);
}
