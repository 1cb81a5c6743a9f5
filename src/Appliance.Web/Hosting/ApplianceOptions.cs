namespace Appliance.Web.Hosting;

/// <summary>
/// Host options (section "Appliance"), validated at start by <see cref="ApplianceOptionsValidator"/>;
/// <see cref="Urls"/> and <see cref="DataDirectory"/> also come from --urls / --data and the environment
/// (<see cref="EnvironmentSettings"/>).
/// </summary>
public sealed class ApplianceOptions
{
    public const string SectionName = "Appliance";
    public const string DefaultUrls = "http://127.0.0.1:8080";
    public const string AdminPasswordVariable = "APPLIANCE_ADMIN_PASSWORD";

    /// <summary>Where Kestrel listens: `;`-separated http:// or https:// URLs.</summary>
    public string Urls { get; set; } = DefaultUrls;

    /// <summary><see cref="Urls"/> one by one.</summary>
    public IReadOnlyList<string> UrlList => Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Where appliance.db lives.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Lifetime of tokens issued by POST /api/auth/token.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Lifetime of the dashboard's login cookie (sliding).</summary>
    public TimeSpan CookieLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>However active, a dashboard login ends this long after it was made (the cookie and its circuits).</summary>
    public TimeSpan CookieAbsoluteLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Login attempts (token endpoint and login form together) allowed per client address per window.</summary>
    public int LoginPermitLimit { get; set; } = 10;

    public TimeSpan LoginWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The name the dashboard shows for this node (header, syslog lines); the host name when unset.</summary>
    public string? NodeName { get; set; }

    /// <summary>How often the history and the audit log are trimmed to the retention in the settings, and long-expired tokens deleted.</summary>
    public TimeSpan HistoryTrimInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Where the up/down scripts and "command" health checks configured over HTTP must live (by name); see
    /// <see cref="Services.ScriptCatalog"/>. <c>appliance carp</c> does not use it.
    /// </summary>
    public string ScriptsDirectory { get; set; } = DefaultScriptsDirectory;

    public const string DefaultScriptsDirectory = "/etc/appliance/scripts";

    /// <summary>Allow plain http:// on addresses other than loopback (--allow-http, APPLIANCE_ALLOWHTTP); refused at start otherwise.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>One's own HTTPS certificate (Appliance:Certificate); unset, https:// URLs use a generated one kept in the data directory.</summary>
    public CertificateOptions Certificate { get; set; } = new();

    /// <summary>What /metrics offers besides the appliance's own names (Appliance:Metrics).</summary>
    public MetricsOptions Metrics { get; set; } = new();
}

/// <summary>Section Appliance:Metrics.</summary>
public sealed class MetricsOptions
{
    /// <summary>Also export the Prometheus keepalived exporter's names (keepalived_vrrp_state{iname,intf,vrid}, advert counters).</summary>
    public bool KeepalivedNames { get; set; }
}
