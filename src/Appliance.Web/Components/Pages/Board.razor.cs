using Appliance.Web.Api;
using Appliance.Web.Auth;
using Appliance.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Appliance.Web.Components.Pages;

/// <summary>
/// The status board: one card per VHID and the recent transitions. Feed events update it at once;
/// the one-second tick re-reads the snapshot for the counters and the "how long" texts.
/// </summary>
public sealed partial class Board
{
    private const int TimelineLength = 12;

    private List<VhidStatusDto> _statuses = [];
    private List<VhidDto> _disabled = [];
    private Dictionary<int, int> _prefixes = [];
    private List<TransitionDto> _timeline = [];
    private readonly HashSet<string> _busy = new(StringComparer.Ordinal);
    private string? _error;
    private bool _canChange;

    [Inject]
    private StatusFeed Status { get; set; } = default!;

    [Inject]
    private VhidService Vhids { get; set; } = default!;

    [Inject]
    private HistoryService History { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>Viewers get the board read-only: no Add/Edit, no maintenance switch.</summary>
    protected override async Task OnParametersSetAsync() =>
        _canChange = (await AuthenticationState).User.IsAtLeast(ApplianceRole.Operator);

    protected override void Load()
    {
        _statuses = [.. Status.Snapshot()];
        var stored = Vhids.List();
        _prefixes = stored.ToDictionary(v => v.Id, v => v.PrefixLength);
        _disabled = [.. stored.Where(v => !v.Enabled).OrderBy(v => v.Interface, StringComparer.Ordinal).ThenBy(v => v.Vhid)];
        _timeline = History.Query(null, TimelineLength).Value is { } history ? [.. history] : [];
    }

    protected override void OnStatus(VhidStatusDto status)
    {
        var index = _statuses.FindIndex(s => s.Key == status.Key);
        if (index >= 0)
        {
            _statuses[index] = status;
        }
        else
        {
            Load();
        }
    }

    protected override void OnTransition(TransitionDto transition)
    {
        _timeline.Insert(0, transition);
        if (_timeline.Count > TimelineLength)
        {
            _timeline.RemoveRange(TimelineLength, _timeline.Count - TimelineLength);
        }
    }

    protected override void OnRemoved(string key) => Load();

    protected override void OnTick() => _statuses = [.. Status.Snapshot()];

    private int Count(string state) => _statuses.Count(s => s.State == state);

    private int? PrefixOf(VhidStatusDto status) => status.Id is { } id && _prefixes.TryGetValue(id, out var p) ? p : null;

    private async Task SetMaintenanceAsync(VhidStatusDto status, bool enabled)
    {
        if (status.Id is not { } id || !_busy.Add(status.Key))
        {
            return;
        }
        try
        {
            var user = (await AuthenticationState).User;
            if (!user.IsAtLeast(ApplianceRole.Operator))
            {
                _error = "Maintenance requires the operator role.";
                return;
            }
            var result = await Vhids.SetMaintenanceAsync(id, enabled, user.Actor(), CancellationToken.None);
            _error = result.Status == ServiceStatus.Ok ? null : $"{status.Key} is no longer configured.";
            _statuses = [.. Status.Snapshot()];
        }
        finally
        {
            _busy.Remove(status.Key);
        }
    }
}
