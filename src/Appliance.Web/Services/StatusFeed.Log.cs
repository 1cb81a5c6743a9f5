using Appliance.Engine.Diagnostics;

namespace Appliance.Web.Services;

public sealed partial class StatusFeed
{
    [LoggerMessage(EventId = LogEventIds.WebServices + 10, Level = LogLevel.Warning, Message = "A status feed subscriber threw")]
    private partial void LogHandlerFailed(Exception exception);

    [LoggerMessage(EventId = LogEventIds.WebServices + 11, Level = LogLevel.Error, Message = "Recording an engine event failed")]
    private partial void LogEventFailed(Exception exception);

    [LoggerMessage(EventId = LogEventIds.WebServices + 12, Level = LogLevel.Error,
        Message = "The status feed fell behind the engine: {Transitions} transitions and {Others} other events were dropped; the history misses those transitions")]
    private partial void LogEventsLost(long transitions, long others);
}
