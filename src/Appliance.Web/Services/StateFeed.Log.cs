namespace Appliance.Web.Services;

public sealed partial class StateFeed
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "A state feed subscriber threw")]
    private partial void LogHandlerFailed(Exception exception);
}
