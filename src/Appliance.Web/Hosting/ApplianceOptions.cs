namespace Appliance.Web.Hosting;

/// <summary>Host options (section "Appliance"; --data sets <see cref="DataDirectory"/>).</summary>
public sealed class ApplianceOptions
{
    public const string SectionName = "Appliance";
    public const string DefaultUrls = "http://127.0.0.1:8080";
    public const string AdminPasswordVariable = "APPLIANCE_ADMIN_PASSWORD";

    /// <summary>Where appliance.db lives.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Lifetime of tokens issued by POST /api/auth/token.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Lifetime of the dashboard's login cookie (sliding).</summary>
    public TimeSpan CookieLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Login attempts (token endpoint and login form together) allowed per client address per window.</summary>
    public int LoginPermitLimit { get; set; } = 10;

    public TimeSpan LoginWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The name the dashboard shows for this node (header, syslog lines); the host name when unset.</summary>
    public string? NodeName { get; set; }

    /// <summary>How often the history is trimmed to the retention in the settings.</summary>
    public TimeSpan HistoryTrimInterval { get; set; } = TimeSpan.FromHours(1);
}
