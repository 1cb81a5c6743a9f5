using Appliance.Engine.Diagnostics;
using Appliance.Web.Services;
using Microsoft.Extensions.Options;

namespace Appliance.Web.Hosting;

/// <summary>Applies the audit log's retention (count and age, from the settings) every <see cref="ApplianceOptions.HistoryTrimInterval"/>, as the history's.</summary>
public sealed partial class AuditTrimService(AuditService audit, IOptions<ApplianceOptions> options, TimeProvider timeProvider,
    ILogger<AuditTrimService> logger) : PeriodicService(timeProvider)
{
    protected override TimeSpan Interval => options.Value.HistoryTrimInterval;

    protected override void RunOnce()
    {
        var trimmed = audit.Trim();
        if (trimmed > 0)
        {
            LogTrimmed(trimmed);
        }
    }

    protected override void OnFailed(Exception exception) => LogTrimFailed(exception);

    [LoggerMessage(EventId = LogEventIds.WebHosting + 6, Level = LogLevel.Information, Message = "Audit log trimmed: {Count} entries removed")]
    private partial void LogTrimmed(int count);

    [LoggerMessage(EventId = LogEventIds.WebHosting + 7, Level = LogLevel.Error, Message = "Trimming the audit log failed")]
    private partial void LogTrimFailed(Exception exception);
}
