using Microsoft.Extensions.Options;

namespace Appliance.Web.Hosting;

/// <summary>Collects every bad option, each message naming its field (checked at start).</summary>
public sealed class ApplianceOptionsValidator : IValidateOptions<ApplianceOptions>
{
    private const string UrlsField = $"{EnvironmentSettings.UrlsKey} (--urls, {EnvironmentSettings.Urls}, {EnvironmentSettings.AspNetCoreUrls})";

    public ValidateOptionsResult Validate(string? name, ApplianceOptions options)
    {
        var errors = new List<string>();
        var prefix = ApplianceOptions.SectionName + ":";
        if (options.UrlList.Count == 0)
        {
            errors.Add($"{UrlsField}: no URL given.");
        }
        foreach (var url in options.UrlList)
        {
            // Kestrel's wildcard hosts ("http://*:8080", "http://+:80") are fine; Uri accepts them too.
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                errors.Add($"{UrlsField}: '{url}' is not an http:// or https:// URL.");
            }
            else if (uri.Scheme == "http" && !options.AllowHttp && !IsLoopback(uri))
            {
                var https = "https://" + url["http://".Length..];
                errors.Add($"{UrlsField}: refusing plain HTTP on {url}: use {https} (a certificate is generated) "
                    + $"or --allow-http ({prefix}{nameof(options.AllowHttp)}, {EnvironmentSettings.AllowHttp}).");
            }
        }
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add($"{prefix}{nameof(options.DataDirectory)} (--data, APPLIANCE_DATA) must not be empty.");
        }
        if (string.IsNullOrWhiteSpace(options.ScriptsDirectory) || !Path.IsPathFullyQualified(options.ScriptsDirectory))
        {
            errors.Add($"{prefix}{nameof(options.ScriptsDirectory)} must be an absolute path (was '{options.ScriptsDirectory}').");
        }
        if (options.TokenLifetime <= TimeSpan.Zero)
        {
            errors.Add($"{prefix}{nameof(options.TokenLifetime)} must be positive (was {options.TokenLifetime}).");
        }
        if (options.CookieLifetime <= TimeSpan.Zero)
        {
            errors.Add($"{prefix}{nameof(options.CookieLifetime)} must be positive (was {options.CookieLifetime}).");
        }
        if (options.CookieAbsoluteLifetime <= TimeSpan.Zero)
        {
            errors.Add($"{prefix}{nameof(options.CookieAbsoluteLifetime)} must be positive (was {options.CookieAbsoluteLifetime}).");
        }
        if (options.LoginPermitLimit < 1)
        {
            errors.Add($"{prefix}{nameof(options.LoginPermitLimit)} must be at least 1 (was {options.LoginPermitLimit}).");
        }
        if (options.LoginWindow <= TimeSpan.Zero)
        {
            errors.Add($"{prefix}{nameof(options.LoginWindow)} must be positive (was {options.LoginWindow}).");
        }
        if (options.HistoryTrimInterval <= TimeSpan.Zero)
        {
            errors.Add($"{prefix}{nameof(options.HistoryTrimInterval)} must be positive (was {options.HistoryTrimInterval}).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>localhost or a loopback IP; wildcards (*, +, 0.0.0.0, ::), LAN addresses and other names are not.</summary>
    public static bool IsLoopback(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var host = uri.Host.Trim('[', ']');
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address));
    }
}
