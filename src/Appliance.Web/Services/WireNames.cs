using System.Text.Json;
using Appliance.Engine.Protocol;
using Appliance.Engine.StateMachine;

namespace Appliance.Web.Services;

/// <summary>How enums travel as text in JSON, SignalR and metrics: states as ucarp writes them, the rest camelCase.</summary>
public static class WireNames
{
    public static string State(CarpState state) => state.ToWire();

    public static string Cause(TransitionCause cause) => JsonNamingPolicy.CamelCase.ConvertName(cause.ToString());

    public static string Drop(DropReason reason) => reason.ToWire();

    /// <summary>"sequential", "random", "constant".</summary>
    public static string CounterMode(CounterMode mode) => JsonNamingPolicy.CamelCase.ConvertName(mode.ToString());
}
