using Appliance.Web.Services;

namespace Appliance.Web.Hubs;

/// <summary>What the server pushes to every connection of /hubs/state (method names as here).</summary>
public interface IStateClient
{
    /// <summary>A state change, the moment it happened (already in the history, with its id).</summary>
    Task Transition(TransitionDto transition);

    /// <summary>A VHID's status changed (state, peer, maintenance, demotion or message).</summary>
    Task Status(VhidStatusDto status);

    /// <summary>A VHID was removed from the running configuration.</summary>
    Task Removed(string key);
}
