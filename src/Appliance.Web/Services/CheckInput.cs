namespace Appliance.Web.Services;

/// <summary>
/// One health check in a VHID's POST/PUT body (and the dashboard form). Kind is "http", "tcp" or "command";
/// target is a URL, host:port or the name of a usable script in the scripts directory (GET /api/scripts), whose
/// arguments are a list of strings passed as argv (never a shell line). Numbers are wide and nullable so bad values come
/// back as field errors ("checks[0].intervalMs"). Defaults: interval 2000 ms, timeout 1000 ms, rise 2, fall 3.
/// </summary>
public sealed class CheckInput
{
    public string? Name { get; set; }
    public string? Kind { get; set; }
    public string? Target { get; set; }
    /// <summary>HTTP status (default 200) or command exit code (default 0); ignored for TCP.</summary>
    public long? ExpectedStatus { get; set; }
    public long? IntervalMs { get; set; }
    public long? TimeoutMs { get; set; }
    public long? Rise { get; set; }
    public long? Fall { get; set; }
    /// <summary>A command check's arguments, one string each (no splitting, no shell); only for "command".</summary>
    public List<string?>? Arguments { get; set; }
}

/// <summary>A saved health check as the API and dashboard show it.</summary>
public sealed record CheckDto(
    string Name,
    string Kind,
    string Target,
    int? ExpectedStatus,
    int IntervalMs,
    int TimeoutMs,
    int Rise,
    int Fall,
    IReadOnlyList<string> Arguments);

/// <summary>The check kinds as the API spells them.</summary>
public static class CheckKinds
{
    public const string Http = "http";
    public const string Tcp = "tcp";
    public const string Command = "command";
}
