namespace Appliance.Engine.Diagnostics;

/// <summary>
/// The one table of log event ids. Every namespace that logs owns a block of <see cref="BlockSize"/> ids
/// starting at its constant, and each <c>[LoggerMessage]</c> there writes <c>EventId = LogEventIds.Block + n</c>
/// with n from 1 to 99. Engine namespaces sit below 1000, the web's from 1000, other executables from 2000.
/// A namespace that starts logging gets the next free block here, in <see cref="Blocks"/> too.
/// LogEventIdTests (tests/Appliance.Web.Tests) reflects over every [LoggerMessage] method of the product and
/// fails on a duplicate id, an id outside its namespace's block, or a namespace without a block.
/// </summary>
public static class LogEventIds
{
    public const int BlockSize = 100;

    /// <summary>Appliance.Engine.Hosting: the engine and each VHID (ucarp's lines).</summary>
    public const int EngineHosting = 0;

    /// <summary>Appliance.Engine.Scripts: up/down scripts.</summary>
    public const int EngineScripts = 100;

    /// <summary>Appliance.Engine.Health: health checks and demotion.</summary>
    public const int EngineHealth = 200;

    /// <summary>Appliance.Web.Hosting: the host and its background services.</summary>
    public const int WebHosting = 1000;

    /// <summary>Appliance.Web.Services: configuration, status feed, health checks of the web.</summary>
    public const int WebServices = 1100;

    /// <summary>Appliance.Web.Hubs: pushing to the SignalR clients.</summary>
    public const int WebHubs = 1200;

    /// <summary>Each logging namespace and the first id of its block.</summary>
    public static IReadOnlyDictionary<string, int> Blocks { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["Appliance.Engine.Hosting"] = EngineHosting,
        ["Appliance.Engine.Scripts"] = EngineScripts,
        ["Appliance.Engine.Health"] = EngineHealth,
        ["Appliance.Web.Hosting"] = WebHosting,
        ["Appliance.Web.Services"] = WebServices,
        ["Appliance.Web.Hubs"] = WebHubs,
    };
}
