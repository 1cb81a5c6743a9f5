namespace Appliance.Web.Hosting;

/// <summary>
/// `appliance serve [--urls URLS] [--data DIR]`: runs the web appliance until stopped. Exit 1 on bad configuration or
/// a data directory in use by another process, 78 (EX_CONFIG) when the store cannot be opened; one line each, no trace.
/// </summary>
public static class ServeCommand
{
    public static async Task<int> RunAsync(ServeArguments arguments, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        DataDirectoryLock.RestrictNewFiles();
        var exitCode = TryCreate(arguments, error, configure: null, out var app);
        if (app is null)
        {
            return exitCode;
        }
        await using (app)
        {
            await app.StartAsync().ConfigureAwait(false);
            await app.WaitForShutdownAsync().ConfigureAwait(false);
        }
        return 0;
    }

    /// <summary>
    /// Builds the app, or returns null with the exit code after printing one line per error (each naming its field,
    /// or the data directory's holder, or the store file and what to do).
    /// </summary>
    internal static int TryCreate(ServeArguments arguments, TextWriter error, Action<WebApplicationBuilder>? configure, out ApplianceWebApplication? app)
    {
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            app = new ApplianceWebApplication(arguments, configure);
            return 0;
        }
        catch (ApplianceConfigurationException ex)
        {
            foreach (var message in ex.Errors)
            {
                error.WriteLine("appliance: invalid configuration: " + message);
            }
            app = null;
            return 1;
        }
        catch (ApplianceStartupException ex)
        {
            error.WriteLine("appliance: " + ex.Message);
            app = null;
            return ex.ExitCode;
        }
    }
}
