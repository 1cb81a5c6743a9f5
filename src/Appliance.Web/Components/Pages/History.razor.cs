using Appliance.Web.Services;
using Appliance.Web.Storage;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Pages;

/// <summary>
/// The transition history in ucarp's syslog words (with the health checks' demotion entries), filtered by
/// vhid, kind of entry, new state, cause and free text,
/// newest first, in pages. New transitions appear without a reload.
/// </summary>
public sealed partial class History
{
    private const int PageSize = 50;
    private const string KindTransitions = "transitions";
    private const string KindHealth = "health";
    private const string KindCarrier = "carrier";

    private List<HistoryLine> _all = [];
    private List<HistoryLine> _matching = [];
    private int? _vhid;
    private string _kind = "";
    private string _state = "";
    private string _cause = "";
    private string _text = "";
    private int _page;

    [Inject]
    private HistoryService HistoryService { get; set; } = default!;

    private bool Filtered => _vhid is not null || _kind.Length > 0 || _state.Length > 0 || _cause.Length > 0 || _text.Length > 0;

    private int PageCount => Math.Max(1, (_matching.Count + PageSize - 1) / PageSize);

    protected override void Load()
    {
        var vhid = _vhid is >= 1 and <= 255 ? _vhid : null;
        var entries = HistoryService.Query(vhid, HistoryService.MaxTake).Value ?? [];
        _all = [.. entries.Select(t => new HistoryLine(t, DisplayText.SyslogLine(t, Node.HostName, Zone)))];
        Filter();
    }

    // The feed raises a transition once it is stored: re-read so filters and paging stay exact.
    protected override void OnTransition(TransitionDto transition) => Load();

    private void Apply()
    {
        _page = 0;
        Load();
    }

    private void Filter()
    {
        var text = _text.Trim();
        _matching = [.. _all.Where(l =>
            (_vhid is null || l.Transition.Vhid == _vhid)
            && (_kind.Length == 0 || _kind == KindOf(l.Transition))
            && (_state.Length == 0 || (KindOf(l.Transition) == KindTransitions && l.Transition.To == _state))
            && (_cause.Length == 0 || l.Transition.Cause == _cause)
            && (text.Length == 0 || l.Text.Contains(text, StringComparison.OrdinalIgnoreCase)))];
        _page = Math.Min(_page, PageCount - 1);
    }

    /// <summary>The "Entries" filter's group of an entry: health-check demotions, carrier changes, or state changes (split brains included).</summary>
    private static string KindOf(TransitionDto t) => t.Kind switch
    {
        HistoryKinds.Demoted or HistoryKinds.DemotionCleared => KindHealth,
        HistoryKinds.CarrierLost or HistoryKinds.CarrierRestored => KindCarrier,
        _ => KindTransitions,
    };

    private static string LineClass(TransitionDto t) => KindOf(t) == KindTransitions ? "to-" + t.To.ToLowerInvariant() : "kind-" + t.Kind.ToLowerInvariant();

    private void Go(int page) => _page = Math.Clamp(page, 0, PageCount - 1);

    private sealed record HistoryLine(TransitionDto Transition, string Text);
}
