using Appliance.Engine.Import;
using Appliance.Web.Services;

namespace Appliance.Web.Hosting;

/// <summary>
/// `appliance import FILE [--data DIR]`: reads a ucarp.conf (UCARP_* variables) or /etc/network/interfaces
/// with ucarp-* options and writes its VHIDs into the store through the same validation as the API (audit
/// "import"). Prints one line per message (`ucarp.conf:4: warning: ...`) and a summary. Exit 1 when nothing
/// was imported or anything was an error, or when a `serve` holds the data directory (stop it first); 78 when the
/// store cannot be opened.
/// </summary>
public static class ImportCommand
{
    public static async Task<int> RunAsync(
        string file, string? dataDirectory, TextWriter output, TextWriter error, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
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
        // It never listens: the serve URLs (and their HTTPS certificate or plain-HTTP check) do not apply.
        var arguments = new ServeArguments("http://127.0.0.1:0", dataDirectory);
        // The same start as serve: the data directory's lock (a running serve refuses the import), modes, the store.
        var exitCode = ServeCommand.TryCreate(arguments, error, builder =>
            {
                // Warnings only: the engine is never started here, nothing is sent.
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
                configure?.Invoke(builder);
            }, out var app);
        if (app is null)
        {
            return exitCode;
        }
        await using (app)
        {
            // The CLI may read a passfile (at most 4 KiB); script paths become script names or are dropped, as on the web.
            var parsed = app.Services.GetRequiredService<ScriptCatalog>().AdoptImportedScripts(
                UcarpConfigImporter.Parse(text, Path.GetFileName(file), PasswordFiles.Capped(PasswordFiles.ImportMaxBytes)));
            var outcome = await app.Services.GetRequiredService<VhidService>().ImportAsync(parsed, "import (cli)", applyLive: false, CancellationToken.None).ConfigureAwait(false);
            foreach (var line in outcome.Messages.OrderBy(m => m.Line == 0 ? int.MaxValue : m.Line))
            {
                await output.WriteLineAsync(line.Formatted).ConfigureAwait(false);
            }
            await output.WriteLineAsync(outcome.Summary).ConfigureAwait(false);
            return outcome.Created.Count == 0 || outcome.HasErrors ? 1 : 0;
        }
    }
}
