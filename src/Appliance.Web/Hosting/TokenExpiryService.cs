using Appliance.Engine.Diagnostics;
using Appliance.Web.Auth;
using Microsoft.Extensions.Options;

namespace Appliance.Web.Hosting;

/// <summary>
/// Deletes API tokens expired longer than the expiredTokenRetentionDays setting ago (they are refused from the moment
/// they expire and stay listed until then; this keeps the store small).
/// </summary>
public sealed partial class TokenExpiryService(TokenService tokens, IOptions<ApplianceOptions> options, TimeProvider timeProvider,
    ILogger<TokenExpiryService> logger) : PeriodicService(timeProvider)
{
    protected override TimeSpan Interval => options.Value.HistoryTrimInterval;

    protected override void RunOnce() => tokens.DeleteExpired();

    protected override void OnFailed(Exception exception) => LogDeleteFailed(exception);

    [LoggerMessage(EventId = LogEventIds.WebHosting + 5, Level = LogLevel.Error, Message = "Deleting expired tokens failed")]
    private partial void LogDeleteFailed(Exception exception);
}
