namespace Appliance.Web.Hosting;

/// <summary>`appliance serve [--urls URLS] [--data DIR]`.</summary>
public static class ServeCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (!ServeArguments.TryParse(args, out var arguments, out var error))
        {
            await Console.Error.WriteLineAsync(error).ConfigureAwait(false);
            return 1;
        }
        ApplianceWebApplication app;
        try
        {
            app = new ApplianceWebApplication(arguments);
        }
        catch (ApplianceConfigurationException ex)
        {
            foreach (var message in ex.Errors)
            {
                await Console.Error.WriteLineAsync("appliance: invalid configuration: " + message).ConfigureAwait(false);
            }
            return 1;
        }
        await using (app)
        {
            await app.StartAsync().ConfigureAwait(false);
            await app.WaitForShutdownAsync().ConfigureAwait(false);
        }
        return 0;
    }
}
