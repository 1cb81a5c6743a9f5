namespace Appliance.Web.Storage;

/// <summary>
/// One health check of a VHID, as saved. Kind is "http", "tcp" or "command" (target: a script name). Checks are not part of the
/// engine's VhidConfig: changing them never restarts the VHID, only the health monitor's runners.
/// </summary>
public sealed class StoredCheck
{
    public string Name { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Target { get; set; } = "";
    /// <summary>HTTP status or exit code; null means 200 for HTTP, 0 for a command (unused for TCP).</summary>
    public int? ExpectedStatus { get; set; }
    public int IntervalMs { get; set; }
    public int TimeoutMs { get; set; }
    public int Rise { get; set; }
    public int Fall { get; set; }
    /// <summary>A command check's arguments (argv after the script); empty for the other kinds.</summary>
    public List<string> Arguments { get; set; } = [];

    public StoredCheck Clone()
    {
        var copy = (StoredCheck)MemberwiseClone();
        copy.Arguments = [.. Arguments];
        return copy;
    }
}
