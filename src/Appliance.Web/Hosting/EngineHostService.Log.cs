using Appliance.Engine.Diagnostics;

namespace Appliance.Web.Hosting;

public sealed partial class EngineHostService
{
    [LoggerMessage(EventId = LogEventIds.WebHosting + 4, Level = LogLevel.Warning, Message = "Stopping the VHIDs did not complete cleanly: {Reason}")]
    private partial void LogStopIncomplete(string reason);

    [LoggerMessage(EventId = LogEventIds.WebHosting + 1, Level = LogLevel.Error, Message = "Recording or pushing an engine event failed")]
    private partial void LogEventFailed(Exception exception);

    [LoggerMessage(EventId = LogEventIds.WebHosting + 2, Level = LogLevel.Information, Message = "History trimmed: {Count} entries removed")]
    private partial void LogTrimmed(int count);

    [LoggerMessage(EventId = LogEventIds.WebHosting + 3, Level = LogLevel.Error, Message = "Trimming the history failed")]
    private partial void LogTrimFailed(Exception exception);
}
