using Appliance.Engine.Import;
using Appliance.Web.Services;

namespace Appliance.Web.Hosting;

/// <summary>
/// `appliance import FILE [--data DIR]`: reads a ucarp.conf (UCARP_* variables) or /etc/network/interfaces
/// with ucarp-* options and writes its VHIDs into the store through the same validation as the API (audit
/// "import"). Prints one line per message (`ucarp.conf:4: warning: ...`) and a summary. Exit 1 when nothing
/// was imported or anything was an error. Run it while `serve` is stopped (the database is opened exclusively).
/// </summary>
public static class ImportCommand
{
    public const string Usage = "usage: appliance import FILE [--data DIR]";

    public static async Task<int> RunAsync(
        IReadOnlyList<string> args, TextWriter output, TextWriter error, Action<WebApplicationBuilder>? configure = null)
    {
        if (!TryParse(args, out var file, out var data, out var problem))
        {
            await error.WriteLineAsync(problem).ConfigureAwait(false);
            return 1;
        }
        string text;
        try
        {
            text = await File.ReadAllTextAsync(file).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"import: cannot read {file}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        ApplianceWebApplication app;
        try
        {
            app = new ApplianceWebApplication(new ServeArguments(DataDirectory: data), builder =>
            {
                // Warnings only: the engine is never started here, nothing is sent.
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
                configure?.Invoke(builder);
            });
        }
        catch (ApplianceConfigurationException ex)
        {
            foreach (var message in ex.Errors)
            {
                await error.WriteLineAsync("appliance: invalid configuration: " + message).ConfigureAwait(false);
            }
            return 1;
        }
        await using (app)
        {
            var parsed = UcarpConfigImporter.Parse(text, Path.GetFileName(file));
            var outcome = await app.Services.GetRequiredService<VhidService>().ImportAsync(parsed, "import (cli)", applyLive: false, CancellationToken.None).ConfigureAwait(false);
            foreach (var line in outcome.Messages.OrderBy(m => m.Line == 0 ? int.MaxValue : m.Line))
            {
                await output.WriteLineAsync(line.Formatted).ConfigureAwait(false);
            }
            await output.WriteLineAsync(outcome.Summary).ConfigureAwait(false);
            return outcome.Created.Count == 0 || outcome.HasErrors ? 1 : 0;
        }
    }

    private static bool TryParse(IReadOnlyList<string> args, out string file, out string? data, out string? problem)
    {
        file = "";
        data = null;
        problem = null;
        string? path = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--data" || arg.StartsWith("--data=", StringComparison.Ordinal))
            {
                var value = arg.Length > "--data".Length ? arg["--data=".Length..] : (i + 1 < args.Count ? args[++i] : null);
                if (string.IsNullOrWhiteSpace(value))
                {
                    problem = "import: --data needs a value.";
                    return false;
                }
                data = value;
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal) || path is not null)
            {
                problem = $"import: unexpected argument '{arg}'. {Usage}";
                return false;
            }
            else
            {
                path = arg;
            }
        }
        if (path is null)
        {
            problem = $"import: which file? {Usage}";
            return false;
        }
        file = path;
        return true;
    }
}
