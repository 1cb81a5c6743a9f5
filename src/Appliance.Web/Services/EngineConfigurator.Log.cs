using Appliance.Engine.Diagnostics;

namespace Appliance.Web.Services;

public sealed partial class EngineConfigurator
{
    [LoggerMessage(EventId = LogEventIds.WebServices + 1, Level = LogLevel.Information, Message = "Configuration applied to the engine: {Count} VHID(s)")]
    private partial void LogApplied(int count);

    [LoggerMessage(EventId = LogEventIds.WebServices + 2, Level = LogLevel.Error, Message = "Applying the configuration to the engine failed")]
    private partial void LogApplyFailed(Exception exception);

    [LoggerMessage(EventId = LogEventIds.WebServices + 3, Level = LogLevel.Error, Message = "Stored VHID {Key} is invalid and was not started: {Reason}")]
    private partial void LogInvalidStored(string key, string reason);
}
