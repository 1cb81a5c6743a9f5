using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Appliance.Testing;

/// <summary>For code that takes an <see cref="ILoggerFactory"/>: every logger, at every level, writes to one collector.</summary>
public static class FakeLogs
{
    public static ILoggerFactory Factory(FakeLogCollector collector) =>
        LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
}
