using Appliance.Web.Auth;
using Appliance.Web.Services;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Appliance.Web.Hubs;

/// <summary>
/// /hubs/state: pushes every transition and status change to every authenticated connection without
/// the client asking. Clients may call <see cref="GetStatus"/> once to fill their view on connect.
/// </summary>
[Authorize(Policy = AppliancePolicies.Viewer)]
public sealed class StateHub(StatusFeed feed) : Hub<IStateClient>
{
    public const string Path = "/hubs/state";

    public IReadOnlyList<VhidStatusDto> GetStatus() => feed.Snapshot();
}
