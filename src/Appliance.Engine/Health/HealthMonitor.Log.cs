using Appliance.Engine.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Appliance.Engine.Health;

public sealed partial class HealthMonitor
{
    [LoggerMessage(EventId = LogEventIds.EngineHealth + 1, Level = LogLevel.Warning, Message = "{Key}: demoted: {Reason}")]
    private static partial void LogFailed(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = LogEventIds.EngineHealth + 2, Level = LogLevel.Information, Message = "{Key}: demotion lifted: {Sentence}")]
    private static partial void LogRecovered(ILogger logger, string key, string sentence);

    [LoggerMessage(EventId = LogEventIds.EngineHealth + 3, Level = LogLevel.Information, Message = "{Key}: check {Name} removed; its demotion is lifted")]
    private static partial void LogLifted(ILogger logger, string key, string name);

    [LoggerMessage(EventId = LogEventIds.EngineHealth + 4, Level = LogLevel.Error, Message = "{Key}: a subscriber to check {Name} failed")]
    private static partial void LogSubscriberFailed(ILogger logger, Exception exception, string key, string name);
}
