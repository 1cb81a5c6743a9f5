using Appliance.Web.Services;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Appliance.Web.Hubs;

/// <summary>
/// /hubs/state: pushes every transition and status change to every authenticated connection without
/// the client asking. Clients may call <see cref="GetStatus"/> once to fill their view on connect.
/// </summary>
[Authorize]
public sealed class StateHub(StatusFeed feed, Auth.HubConnectionRegistry connections) : Hub<IStateClient>
{
    public const string Path = "/hubs/state";

    /// <summary>Known per user, so ending the user's sessions closes the connection (<see cref="Auth.SessionRevoker"/>).</summary>
    public override Task OnConnectedAsync()
    {
        connections.Add(Context);
        return base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Remove(Context);
        return base.OnDisconnectedAsync(exception);
    }

    public IReadOnlyList<VhidStatusDto> GetStatus() => feed.Snapshot();
}
