using Appliance.Engine.Diagnostics;

namespace Appliance.Web.Services;

public sealed partial class StateFeed
{
    [LoggerMessage(EventId = LogEventIds.WebServices + 10, Level = LogLevel.Warning, Message = "A state feed subscriber threw")]
    private partial void LogHandlerFailed(Exception exception);
}
