using Appliance.Engine.Diagnostics;
using Appliance.Web.Services;
using Microsoft.Extensions.Options;

namespace Appliance.Web.Hosting;

/// <summary>Applies the history retention (count and age, from the settings) every <see cref="ApplianceOptions.HistoryTrimInterval"/>.</summary>
public sealed partial class HistoryTrimService(HistoryService history, IOptions<ApplianceOptions> options, TimeProvider timeProvider,
    ILogger<HistoryTrimService> logger) : PeriodicService(timeProvider)
{
    protected override TimeSpan Interval => options.Value.HistoryTrimInterval;

    protected override void RunOnce()
    {
        var trimmed = history.Trim();
        if (trimmed > 0)
        {
            LogTrimmed(trimmed);
        }
    }

    protected override void OnFailed(Exception exception) => LogTrimFailed(exception);

    [LoggerMessage(EventId = LogEventIds.WebHosting + 2, Level = LogLevel.Information, Message = "History trimmed: {Count} entries removed")]
    private partial void LogTrimmed(int count);

    [LoggerMessage(EventId = LogEventIds.WebHosting + 3, Level = LogLevel.Error, Message = "Trimming the history failed")]
    private partial void LogTrimFailed(Exception exception);
}
