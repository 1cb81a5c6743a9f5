namespace Appliance.Web.Hosting;

public sealed partial class EngineHostService
{
    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Stopping the VHIDs did not complete cleanly: {Reason}")]
    private partial void LogStopIncomplete(string reason);

    [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "Recording or pushing an engine event failed")]
    private partial void LogEventFailed(Exception exception);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "History trimmed: {Count} entries removed")]
    private partial void LogTrimmed(int count);

    [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "Trimming the history failed")]
    private partial void LogTrimFailed(Exception exception);
}
