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
}
