using Appliance.Engine.Diagnostics;

namespace Appliance.Web.Hosting;

public sealed partial class EngineLifecycleService
{
    [LoggerMessage(EventId = LogEventIds.WebHosting + 4, Level = LogLevel.Warning, Message = "Stopping the VHIDs did not complete cleanly: {Reason}")]
    private partial void LogStopIncomplete(string reason);
}
