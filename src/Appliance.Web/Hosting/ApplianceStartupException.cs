namespace Appliance.Web.Hosting;

/// <summary>
/// A start that cannot go on, with the exit code `serve` and `import` return: <see cref="Failure"/> (1: the data
/// directory is in use, it cannot be created) or <see cref="ConfigurationError"/> (78, EX_CONFIG: the store cannot be
/// opened; the systemd unit does not restart on it). The message is one line, printed after "appliance: ".
/// </summary>
public sealed class ApplianceStartupException(string message, int exitCode) : Exception(message)
{
    public const int Failure = 1;
    public const int ConfigurationError = 78;

    public int ExitCode { get; } = exitCode;
}
