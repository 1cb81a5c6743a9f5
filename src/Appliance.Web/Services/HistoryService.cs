using Appliance.Engine.Hosting;
using Appliance.Engine.StateMachine;
using Appliance.Web.Storage;

namespace Appliance.Web.Services;

/// <summary>The transition history: appended by the engine host, read newest first, trimmed by retention.</summary>
public sealed class HistoryService(IApplianceStore store, TimeProvider timeProvider)
{
    public const int DefaultTake = 100;
    public const int MaxTake = 10_000;

    /// <summary>Records a state change; <paramref name="maintenance"/> when maintenance beginning or ending made it.</summary>
    public TransitionDto Append(TransitionRecord record, bool maintenance = false) =>
        Append(record.At, record.Key, record.Interface, record.Vhid, record.From, record.To, record.Cause, record.LogLine, HistoryKinds.Transition, maintenance);

    /// <summary>Records the start (<paramref name="started"/>) or end of a health-check demotion at the VHID's current state.</summary>
    public TransitionDto AppendDemotion(string key, string iface, int vhid, CarpState state, bool started, string line) =>
        Append(timeProvider.GetUtcNow(), key, iface, vhid, state, state, TransitionCause.Demoted, line,
            started ? HistoryKinds.Demoted : HistoryKinds.DemotionCleared);

    /// <summary>Records a resolved split brain ("split brain: another MASTER (198.18.0.3) seen; resolved") at the state after it.</summary>
    public TransitionDto AppendSplitBrain(SplitBrainRecord record) =>
        Append(record.At, record.Key, record.Interface, record.Vhid, record.State, record.State, TransitionCause.SplitBrain, record.LogLine, HistoryKinds.SplitBrain);

    /// <summary>Records a carrier lost ("Carrier lost on eth0: ...") or back, at the VHID's state then; cause <c>linkDown</c> for both.</summary>
    public TransitionDto AppendCarrier(CarrierRecord record) =>
        Append(record.At, record.Key, record.Interface, record.Vhid, record.State, record.State, TransitionCause.LinkDown, record.LogLine,
            record.Up ? HistoryKinds.CarrierRestored : HistoryKinds.CarrierLost);

    /// <summary>
    /// Records the start ("flapping suppressed: 4 transitions in 3.2 s; holding BACKUP (penalty 3155 above 3000)") or the
    /// end of a flap-damping suppression at the VHID's state then (docs/carp-protocol.md, 6.13).
    /// </summary>
    public TransitionDto AppendFlap(FlapRecord record) =>
        Append(record.At, record.Key, record.Interface, record.Vhid, record.State, record.State, TransitionCause.FlapDamping, record.LogLine,
            record.Suppressed ? HistoryKinds.FlapSuppressed : HistoryKinds.FlapReleased);

    private TransitionDto Append(DateTimeOffset at, string key, string iface, int vhid, CarpState from, CarpState to,
        TransitionCause cause, string line, string kind, bool maintenance = false)
    {
        var stored = new StoredTransition
        {
            At = at,
            Key = key,
            Interface = iface,
            Vhid = vhid,
            From = from,
            To = to,
            Cause = cause,
            LogLine = line,
            Kind = kind,
            Maintenance = maintenance,
        };
        stored.Id = store.History.Append(stored);
        return TransitionDto.FromStored(stored);
    }

    public ServiceResult<IReadOnlyList<TransitionDto>> Query(int? vhid, int? take)
    {
        var errors = new ValidationErrors();
        if (vhid is < 1 or > 255)
        {
            errors.Add("vhid", $"vhid must be between 1 and 255 (was {vhid}).");
        }
        if (take is < 1 or > MaxTake)
        {
            errors.Add("take", $"take must be between 1 and {MaxTake} (was {take}).");
        }
        if (!errors.IsEmpty)
        {
            return ServiceResult<IReadOnlyList<TransitionDto>>.Invalid(errors.ToDictionary());
        }
        var entries = store.History.Query(vhid, key: null, take ?? DefaultTake).Select(TransitionDto.FromStored).ToList();
        return ServiceResult<IReadOnlyList<TransitionDto>>.Ok(entries);
    }

    /// <summary>Applies the retention from the settings; returns how many entries were removed.</summary>
    public int Trim()
    {
        var settings = store.Settings.Get();
        var cutoff = timeProvider.GetUtcNow() - TimeSpan.FromDays(settings.HistoryMaxAgeDays);
        return store.History.Trim(cutoff, settings.HistoryMaxEntries);
    }
}
