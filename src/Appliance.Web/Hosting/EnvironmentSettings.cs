using System.Globalization;

namespace Appliance.Web.Hosting;

/// <summary>
/// The environment variables docs/docker.md promises for `serve`: listen URLs and data directory (a command-line
/// flag always wins), and the first-start VHID (<see cref="InitialVhid"/>).
/// </summary>
public static class EnvironmentSettings
{
    public const string Urls = "APPLIANCE_URLS";
    public const string AspNetCoreUrls = "ASPNETCORE_URLS";
    public const string Data = "APPLIANCE_DATA";

    /// <summary>--urls, else APPLIANCE_URLS, else ASPNETCORE_URLS, else http://127.0.0.1:8080. Null and a message naming the source when a URL is bad.</summary>
    public static string? ResolveUrls(string? flag, IConfiguration configuration, out string? error)
    {
        error = null;
        var (urls, source) = !string.IsNullOrWhiteSpace(flag) ? (flag, "--urls")
            : NonEmpty(configuration[Urls]) is { } fromAppliance ? (fromAppliance, Urls)
            : NonEmpty(configuration[AspNetCoreUrls]) is { } fromAspNet ? (fromAspNet, AspNetCoreUrls)
            : (ApplianceOptions.DefaultUrls, "default");
        var parts = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var url in parts)
        {
            // Kestrel's wildcard hosts ("http://*:8080", "http://+:80") are fine; Uri accepts them too.
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                error = $"{source}: '{url}' is not an http:// or https:// URL.";
                return null;
            }
        }
        if (parts.Length == 0)
        {
            error = $"{source}: no URL given.";
            return null;
        }
        return string.Join(';', parts);
    }

    /// <summary>--data, else APPLIANCE_DATA, else null (the options' DataDirectory, "data" by default).</summary>
    public static string? ResolveDataDirectory(string? flag, IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(flag) ? flag : NonEmpty(configuration[Data]);

    internal static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    internal static bool TryParseInt(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
