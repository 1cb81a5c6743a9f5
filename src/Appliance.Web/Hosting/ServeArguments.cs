namespace Appliance.Web.Hosting;

/// <summary>
/// What `appliance serve` (or `import`) was given on its command line; null means not given. They reach the
/// host as ASP.NET Core's command-line configuration (keys <c>urls</c> and <c>data</c>), the source that wins
/// over the environment (<see cref="EnvironmentSettings"/>) and appsettings.json.
/// </summary>
public sealed record ServeArguments(string? Urls = null, string? DataDirectory = null, bool AllowHttp = false)
{
    /// <summary>The arguments for the command-line configuration provider.</summary>
    public IReadOnlyList<string> ToConfigurationArgs()
    {
        var args = new List<string>();
        if (Urls is not null)
        {
            args.AddRange([$"--{EnvironmentSettings.UrlsKey}", Urls]);
        }
        if (DataDirectory is not null)
        {
            args.AddRange([$"--{EnvironmentSettings.DataKey}", DataDirectory]);
        }
        if (AllowHttp)
        {
            args.AddRange([$"--{EnvironmentSettings.AllowHttpKey}", "true"]);
        }
        return args;
    }
}
