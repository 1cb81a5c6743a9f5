using System.Globalization;

namespace Appliance.Web.Hosting;

/// <summary>
/// Where `serve` reads its listen URLs and data directory, through ASP.NET Core's own configuration providers,
/// later sources winning: ASPNETCORE_URLS (the host's <c>ASPNETCORE_</c> prefix: key <c>urls</c>), appsettings.json
/// (<c>Appliance:DataDirectory</c>), APPLIANCE_URLS / APPLIANCE_DATA (prefix <c>APPLIANCE_</c>: keys <c>urls</c>,
/// <c>data</c>, <c>allowhttp</c>), then the command line (<c>--urls</c>, <c>--data</c>, <c>--allow-http</c>). Empty values count as unset. The first-start
/// VHID variables are read as plain keys (<see cref="InitialVhid"/>).
/// </summary>
public static class EnvironmentSettings
{
    public const string Prefix = "APPLIANCE_";
    public const string Urls = Prefix + "URLS";
    public const string AspNetCoreUrls = "ASPNETCORE_URLS";
    public const string Data = Prefix + "DATA";
    public const string AllowHttp = Prefix + "ALLOWHTTP";

    /// <summary>The web host's own key for its listen URLs (also what ASPNETCORE_URLS sets).</summary>
    public const string UrlsKey = "urls";

    /// <summary>The key APPLIANCE_DATA and --data set; overrides <c>Appliance:DataDirectory</c>.</summary>
    public const string DataKey = "data";

    /// <summary>The key APPLIANCE_ALLOWHTTP and --allow-http set; overrides <c>Appliance:AllowHttp</c>.</summary>
    public const string AllowHttpKey = "allowhttp";

    /// <summary>Adds the APPLIANCE_ variables and the command line after the builder's default sources.</summary>
    public static void AddSources(IConfigurationBuilder configuration, ServeArguments arguments)
    {
        configuration.AddEnvironmentVariables(Prefix);
        configuration.AddCommandLine([.. arguments.ToConfigurationArgs()]);
    }

    /// <summary>Copies <c>urls</c> and <c>data</c> into the options, when set.</summary>
    public static void Apply(ApplianceOptions options, IConfiguration configuration)
    {
        if (NonEmpty(configuration[UrlsKey]) is { } urls)
        {
            options.Urls = urls;
        }
        if (NonEmpty(configuration[DataKey]) is { } data)
        {
            options.DataDirectory = data;
        }
        if (NonEmpty(configuration[AllowHttpKey]) is { } allowHttp)
        {
            options.AllowHttp = bool.TryParse(allowHttp, out var allowed)
                ? allowed
                : throw new InvalidOperationException($"{AllowHttp} (--allow-http): '{allowHttp}' is not true or false.");
        }
    }

    internal static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    internal static bool TryParseInt(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
