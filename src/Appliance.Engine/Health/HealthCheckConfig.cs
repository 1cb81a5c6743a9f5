using System.Globalization;

namespace Appliance.Engine.Health;

public enum HealthCheckKind
{
    /// <summary>HTTP GET of <see cref="HealthCheckConfig.Target"/> (a URL) expecting a status code.</summary>
    Http,
    /// <summary>TCP connect to <see cref="HealthCheckConfig.Target"/> (<c>host:port</c>, <c>[v6]:port</c>).</summary>
    Tcp,
    /// <summary>Runs <see cref="HealthCheckConfig.Target"/> (an executable's absolute path) with <see cref="HealthCheckConfig.Arguments"/> as argv, no shell, expecting an exit code.</summary>
    Command,
}

/// <summary>
/// One named check of a VHID. Rise and fall work as in keepalived: the check starts healthy, is failed after
/// <see cref="Fall"/> failures in a row, and healthy again after <see cref="Rise"/> successes in a row.
/// </summary>
/// <param name="ExpectedStatus">HTTP status or command exit code; null means 200 for HTTP and 0 for a command.</param>
/// <param name="Arguments">A command's arguments, passed as argv (never through a shell); null or empty for none.</param>
public sealed record HealthCheckConfig(
    string Name,
    HealthCheckKind Kind,
    string Target,
    TimeSpan Interval,
    TimeSpan Timeout,
    int? ExpectedStatus = null,
    int Rise = 2,
    int Fall = 3,
    IReadOnlyList<string>? Arguments = null)
{
    /// <summary><see cref="Arguments"/>, never null.</summary>
    public IReadOnlyList<string> EffectiveArguments => Arguments ?? [];

    // Value equality including the arguments' contents: an unchanged check keeps its runner across applies.
    public bool Equals(HealthCheckConfig? other) =>
        other is not null && Name == other.Name && Kind == other.Kind && Target == other.Target && Interval == other.Interval
        && Timeout == other.Timeout && ExpectedStatus == other.ExpectedStatus && Rise == other.Rise && Fall == other.Fall
        && EffectiveArguments.SequenceEqual(other.EffectiveArguments, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Name, Kind, Target, Interval, Timeout, ExpectedStatus, Rise, Fall);

    public int EffectiveExpectedStatus => ExpectedStatus ?? (Kind == HealthCheckKind.Http ? 200 : 0);

    /// <summary>Every problem, each naming its field; empty when the check can run.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add("Name: a check needs a name");
        }
        if (Interval <= TimeSpan.Zero)
        {
            errors.Add("Interval: must be positive");
        }
        if (Timeout <= TimeSpan.Zero)
        {
            errors.Add("Timeout: must be positive");
        }
        if (Rise < 1)
        {
            errors.Add("Rise: must be at least 1");
        }
        if (Fall < 1)
        {
            errors.Add("Fall: must be at least 1");
        }
        switch (Kind)
        {
            case HealthCheckKind.Http:
                if (!Uri.TryCreate(Target, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    errors.Add($"Target: '{Target}' is not an http:// or https:// URL");
                }
                if (ExpectedStatus is < 100 or > 599)
                {
                    errors.Add($"ExpectedStatus: {ExpectedStatus} is not an HTTP status code");
                }
                break;
            case HealthCheckKind.Tcp:
                if (!TcpTarget.TryParse(Target, out _, out _))
                {
                    errors.Add($"Target: '{Target}' is not host:port");
                }
                break;
            case HealthCheckKind.Command:
                if (!Path.IsPathFullyQualified(Target))
                {
                    errors.Add($"Target: '{Target}' is not the absolute path of an executable");
                }
                if (EffectiveArguments.Any(a => a.Contains('\0', StringComparison.Ordinal)))
                {
                    errors.Add("Arguments: an argument contains a NUL character");
                }
                if (ExpectedStatus is < 0 or > 255)
                {
                    errors.Add($"ExpectedStatus: {ExpectedStatus} is not an exit code (0-255)");
                }
                break;
            default:
                errors.Add($"Kind: {Kind} is not a check kind");
                break;
        }
        return errors;
    }

    /// <summary>"HTTP", "TCP" or "Command", as the sentences say it.</summary>
    public string KindLabel => Kind switch
    {
        HealthCheckKind.Http => "HTTP",
        HealthCheckKind.Tcp => "TCP",
        _ => "Command",
    };
}

/// <summary><c>host:port</c> as a TCP check target.</summary>
internal static class TcpTarget
{
    public static bool TryParse(string target, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = target.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(target.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            return false;
        }
        host = target[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        return host.Length > 0;
    }
}
