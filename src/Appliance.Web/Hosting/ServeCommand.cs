namespace Appliance.Web.Hosting;

/// <summary>`appliance serve [--urls URLS] [--data DIR]`: runs the web appliance until stopped. Exit 1 on bad configuration.</summary>
public static class ServeCommand
{
    public static async Task<int> RunAsync(ServeArguments arguments, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (!TryCreate(arguments, error, configure: null, out var app))
        {
            return 1;
        }
        await using (app)
        {
            await app.StartAsync().ConfigureAwait(false);
            await app.WaitForShutdownAsync().ConfigureAwait(false);
        }
        return 0;
    }

    /// <summary>Builds the app; false after printing one line per configuration error (each naming its field).</summary>
    internal static bool TryCreate(
        ServeArguments arguments, TextWriter error, Action<WebApplicationBuilder>? configure, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ApplianceWebApplication? app)
    {
        try
        {
            app = new ApplianceWebApplication(arguments, configure);
            return true;
        }
        catch (ApplianceConfigurationException ex)
        {
            foreach (var message in ex.Errors)
            {
                error.WriteLine("appliance: invalid configuration: " + message);
            }
            app = null;
            return false;
        }
    }
}
