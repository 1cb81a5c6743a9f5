using System.Collections.Concurrent;
using Appliance.Engine.Health;
using Appliance.Engine.Hosting;
using Appliance.Engine.Protocol;
using Appliance.Engine.StateMachine;
using Appliance.Web.Storage;

namespace Appliance.Web.Services;

/// <summary>
/// The web's one view of the engine: it consumes the engine's event stream and the health notices,
/// records each transition in the history (so what it raises already has its history id), and offers
/// a snapshot (<see cref="Snapshot"/>, <see cref="Get"/>, the counters) plus a subscription
/// (<see cref="Transition"/>, <see cref="Status"/>, <see cref="Removed"/>). The REST API, the hub pusher,
/// the dashboard and the metrics read only this. Snapshots are built from the engine's in-memory state,
/// the last health results and the stored ids cached at each apply: no read of the store per call.
/// Handlers run on the feed's loop: they must not block (the dashboard marshals with InvokeAsync,
/// the hub pusher queues); a throwing handler is isolated.
/// </summary>
public sealed partial class StatusFeed(ICarpEngine engine, HealthService health, HistoryService history, ILogger<StatusFeed> logger)
    : BackgroundService
{
    private readonly ConcurrentDictionary<string, VhidTotals> _totals = new(StringComparer.Ordinal);
    private volatile IReadOnlyDictionary<string, int> _ids = new Dictionary<string, int>(StringComparer.Ordinal);
    private readonly CancellationTokenSource _watch = new();
    private readonly Dictionary<string, MaintenanceSeen> _maintenance = new(StringComparer.Ordinal);
    private IAsyncEnumerator<EngineEvent>? _events;
    private ValueTask<bool> _next;

    /// <summary>A transition, health, split-brain or carrier entry, the moment it is in the history (with its id).</summary>
    public event Action<TransitionDto>? Transition;

    /// <summary>A VHID's status changed (state, peer, maintenance, demotion, checks).</summary>
    public event Action<VhidStatusDto>? Status;

    /// <summary>A VHID left the running configuration.</summary>
    public event Action<string>? Removed;

    /// <summary>Every running VHID, ordered by interface then VHID.</summary>
    public IReadOnlyList<VhidStatusDto> Snapshot()
    {
        var ids = _ids;
        var checks = health.Snapshot();
        return engine.Snapshot()
            .Select(s => ToDto(s, ids, checks.GetValueOrDefault(s.Key) ?? []))
            .OrderBy(s => s.Interface, StringComparer.Ordinal).ThenBy(s => s.Vhid)
            .ToList();
    }

    /// <summary>The current status of one VHID; null when it is not running.</summary>
    public VhidStatusDto? Get(string key) =>
        engine.Snapshot().FirstOrDefault(s => s.Key == key) is { } status ? ToDto(status) : null;

    /// <summary>Transitions (and how many of them into MASTER) per VHID key since the process started.</summary>
    public VhidTotals Totals(string key) => _totals.GetValueOrDefault(key) ?? VhidTotals.None;

    /// <summary>The stored VHIDs' ids by key, cached so a snapshot links each status to its configuration.</summary>
    internal void UseStoredIds(IEnumerable<StoredVhid> stored)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var vhid in stored)
        {
            ids[vhid.Key] = vhid.Id;
        }
        _ids = ids;
    }

    /// <summary>Subscribes to the engine before returning, so the start-up transitions of the first apply are recorded.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // The engine registers the subscriber synchronously in the first MoveNextAsync.
        _events = engine.WatchAsync(_watch.Token).GetAsyncEnumerator(_watch.Token);
        _next = _events.MoveNextAsync();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var events = _events!;
        using var stopping = stoppingToken.Register(_watch.Cancel);
        var notices = HealthNoticeLoopAsync(stoppingToken);
        try
        {
            while (await _next.ConfigureAwait(false))
            {
                Handle(events.Current);
                _next = events.MoveNextAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await events.DisposeAsync().ConfigureAwait(false);
            await notices.ConfigureAwait(false);
        }
    }

    public override void Dispose()
    {
        _watch.Dispose();
        base.Dispose();
    }

    private void Handle(EngineEvent engineEvent)
    {
        try
        {
            switch (engineEvent)
            {
                case EngineEvent.Transitioned transitioned:
                    var record = transitioned.Transition;
                    _totals.AddOrUpdate(record.Key, _ => VhidTotals.None.Add(record.To), (_, t) => t.Add(record.To));
                    Raise(Transition, history.Append(record, MadeByMaintenance(record)));
                    break;
                case EngineEvent.SplitBrainChanged { SplitBrain: var sb } when !sb.Resolved:
                    _totals.AddOrUpdate(sb.Key, _ => VhidTotals.None.AddSplitBrain(), (_, t) => t.AddSplitBrain());
                    break;
                case EngineEvent.SplitBrainChanged { SplitBrain: var sb }:
                    Raise(Transition, history.AppendSplitBrain(sb));
                    break;
                case EngineEvent.CarrierChanged { Carrier: var carrier }:
                    Raise(Transition, history.AppendCarrier(carrier));
                    break;
                case EngineEvent.FlapChanged { Flap: var flap }:
                    if (flap.Suppressed)
                    {
                        _totals.AddOrUpdate(flap.Key, _ => VhidTotals.None.AddFlapSuppression(), (_, t) => t.AddFlapSuppression());
                    }
                    Raise(Transition, history.AppendFlap(flap));
                    break;
                case EngineEvent.StatusChanged changed:
                    SeeMaintenance(changed.Status);
                    Raise(Status, ToDto(changed.Status));
                    break;
                case EngineEvent.Removed removed:
                    _maintenance.Remove(removed.Key);
                    Raise(Removed, removed.Key);
                    break;
                case EngineEvent.EventsLost lost:
                    // The engine kept every transition until its hard limit (docs/limits.md, Event stream): past it, say what the history misses.
                    LogEventsLost(lost.Transitions, lost.Others);
                    break;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // One failed history write must not stop the recording of the next transitions.
            LogEventFailed(ex);
        }
    }

    /// <summary>
    /// Whether maintenance made this state change, so that the history can say so in words (docs/carp-protocol.md,
    /// 6.9): the handover when it begins is cause adminAction (only maintenance gives it in the web product); when it ends,
    /// the node takes the VIP back by an ordinary preempt, told apart by maintenance having been on at the last status
    /// seen or switched off since the node's last transition. A demoted BACKUP never preempts, so such a preempt is
    /// always the end of maintenance. (The engine publishes a maintenance change after the state machine acts on it,
    /// so the preempt can come first: hence "on at the last status".) Runs on the feed's loop only.
    /// </summary>
    private bool MadeByMaintenance(TransitionRecord record)
    {
        var seen = _maintenance.GetValueOrDefault(record.Key);
        _maintenance[record.Key] = seen with { EndedSinceTransition = false };
        return record.Cause == TransitionCause.AdminAction
            || (record.Cause == TransitionCause.Preempt && record.To == CarpState.Master && (seen.On || seen.EndedSinceTransition));
    }

    private void SeeMaintenance(VhidStatus status)
    {
        var seen = _maintenance.GetValueOrDefault(status.Key);
        _maintenance[status.Key] = new MaintenanceSeen(status.Maintenance, seen.EndedSinceTransition || (seen.On && !status.Maintenance));
    }

    /// <summary>What the health checks changed: demotion entries (already in the history) and the VHID's status.</summary>
    private async Task HealthNoticeLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var notice in health.Notices.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                if (notice.Entry is { } entry)
                {
                    Raise(Transition, entry);
                }
                if (Get(notice.Key) is { } current)
                {
                    Raise(Status, current);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Raise<T>(Action<T>? handlers, T value)
    {
        if (handlers is null)
        {
            return;
        }
        foreach (var handler in handlers.GetInvocationList().Cast<Action<T>>())
        {
            try
            {
                handler(value);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // One broken dashboard circuit must not stop the others (or the hub) from hearing.
                LogHandlerFailed(ex);
            }
        }
    }

    private VhidStatusDto ToDto(VhidStatus status) => ToDto(status, _ids, health.Snapshot(status.Key));

    public static string KindName(HealthCheckKind kind) => kind switch
    {
        HealthCheckKind.Http => CheckKinds.Http,
        HealthCheckKind.Tcp => CheckKinds.Tcp,
        _ => CheckKinds.Command,
    };

    private static VhidStatusDto ToDto(VhidStatus s, IReadOnlyDictionary<string, int> ids, IReadOnlyList<HealthCheckStatus> checks)
    {
        var drops = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            drops[WireNames.Drop(reason)] = s.Counters.Drops.TryGetValue(reason, out var n) ? n : 0;
        }
        return new VhidStatusDto(
            s.Key,
            ids.TryGetValue(s.Key, out var id) ? id : null,
            s.Config.Interface,
            s.Config.Vhid,
            s.Config.VirtualAddressText ?? s.Config.VirtualAddress.ToString(),
            WireNames.State(s.State),
            s.Since,
            s.LastPeer is { } p ? new PeerDto(p.Source.ToString(), p.AdvBase, p.AdvSkew, p.HeardAt, p.Demotion, WireNames.CounterMode(p.CounterMode)) : null,
            new CountersDto(s.Counters.AdvertsSent, s.Counters.AdvertsReceived, drops),
            s.Maintenance,
            StatusText.Demotion(s),
            StatusText.Message(s),
            s.AdvertInterval.TotalMilliseconds,
            s.MasterDown.TotalMilliseconds,
            checks.Select(c => new CheckStatusDto(c.Name, KindName(c.Kind), c.Target, c.Healthy, c.LastResult, c.LastRun,
                c.ConsecutiveSuccesses, c.ConsecutiveFailures, c.DemotionReason)).ToList(),
            s.SplitBrain is { } sb ? new SplitBrainDto(sb.OtherMaster.ToString(), sb.Since) : null,
            s.Carrier,
            s.Config.Peers.IsUnicast ? new UnicastDto([.. s.Config.Peers.Select(p => p.ToString())], StatusText.UnicastNote(s.Config.Peers)) : null,
            s.Flapping is { } f ? new FlappingDto(f.Suppressed, f.Since, Math.Round(f.Penalty, 1)) : null);
    }
}

/// <summary>Maintenance at a VHID's last status, and whether it was switched off since the VHID's last transition.</summary>
internal readonly record struct MaintenanceSeen(bool On, bool EndedSinceTransition);

/// <summary>
/// Transitions of one VHID since the process started: all of them, those into MASTER, split brains seen and flap
/// damping suppressions begun.
/// </summary>
public sealed record VhidTotals(long Transitions, long BecameMaster, long SplitBrains = 0, long FlapSuppressions = 0)
{
    public static readonly VhidTotals None = new(0, 0);

    public VhidTotals Add(CarpState to) => this with { Transitions = Transitions + 1, BecameMaster = BecameMaster + (to == CarpState.Master ? 1 : 0) };

    public VhidTotals AddSplitBrain() => this with { SplitBrains = SplitBrains + 1 };

    public VhidTotals AddFlapSuppression() => this with { FlapSuppressions = FlapSuppressions + 1 };
}
