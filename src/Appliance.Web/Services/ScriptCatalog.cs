using Appliance.Engine.Diagnostics;
using Appliance.Engine.Import;
using Appliance.Engine.Scripts;
using Appliance.Web.Hosting;
using Microsoft.Extensions.Options;

namespace Appliance.Web.Services;

/// <summary>
/// What a script name means on the web side (API, dashboard, web import): a name in <c>Appliance:ScriptsDirectory</c>
/// checked by the engine's <see cref="ScriptDirectory"/> rules. No path or command line configured over HTTP ever runs.
/// Older stores may hold a script path: it still runs when it is a usable script of the directory (saved by its
/// name on the next edit), otherwise it is logged and not run.
/// </summary>
public sealed partial class ScriptCatalog(IOptions<ApplianceOptions> options, ILogger<ScriptCatalog> logger)
{
    private readonly ScriptDirectory _directory = new(options.Value.ScriptsDirectory);

    /// <summary>The scripts directory, absolute.</summary>
    public string Directory => _directory.Path;

    /// <summary>The directory's entries, sorted by name (empty when it does not exist).</summary>
    public IReadOnlyList<ScriptStatus> List() => _directory.List();

    /// <summary>Null when <paramref name="name"/> names a usable script, else the reason.</summary>
    public string? Check(string? name) => _directory.Check(name);

    /// <summary>The message of a field naming an unusable script: "'x' is not a usable script in DIR: reason."</summary>
    public string Problem(string value, string reason) => $"'{value}' is not a usable script in {Directory}: {reason}.";

    /// <summary>Adds an error to <paramref name="field"/> unless <paramref name="value"/> names a usable script.</summary>
    public void Validate(ValidationErrors errors, string field, string? value)
    {
        if (value is not null && Check(value) is { } reason)
        {
            errors.Add(field, Problem(value, reason));
        }
    }

    /// <summary>
    /// An import's up/down script paths as script names: each is kept as its file name when that names a usable
    /// script here, otherwise dropped; either way a warning names the VHID, the field and the path.
    /// </summary>
    public ImportResult AdoptImportedScripts(ImportResult result)
    {
        var messages = new List<ImportMessage>(result.Messages);
        var vhids = result.Vhids.Select(config => config with
        {
            UpScript = Adopt(config.Key, "upscript", config.UpScript, messages),
            DownScript = Adopt(config.Key, "downscript", config.DownScript, messages),
        }).ToList();
        return result with { Vhids = vhids, Messages = messages };
    }

    private string? Adopt(string key, string field, string? path, List<ImportMessage> messages)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }
        var name = Path.GetFileName(path);
        if (Check(name) is { } reason)
        {
            messages.Add(new ImportMessage(0,
                $"{key}: {field} '{path}' dropped: '{name}' is not a usable script in {Directory} ({reason}); install it there and choose it by name",
                ImportSeverity.Warning));
            return null;
        }
        messages.Add(new ImportMessage(0, $"{key}: {field} '{path}' imported as the script '{name}' of {Directory}", ImportSeverity.Warning));
        return name;
    }

    /// <summary>
    /// The path the engine runs for a stored up/down script (<paramref name="vhidKey"/> and <paramref name="field"/>
    /// for the log), or null when there is none or it is not usable (logged, not run).
    /// </summary>
    public string? ResolveForEngine(string vhidKey, string field, string? stored)
    {
        if (string.IsNullOrEmpty(stored))
        {
            return null;
        }
        var name = StoredName(stored);
        if (Check(name) is { } reason)
        {
            LogNotRun(vhidKey, field, stored, Directory, reason);
            return null;
        }
        return _directory.FullPath(name!);
    }

    /// <summary>The executable a stored command check runs: the full path of its script (the probe re-checks it before each run).</summary>
    public string CommandPath(string stored) => StoredName(stored) is { } name && ScriptDirectory.IsValidName(name)
        ? _directory.FullPath(name)
        : stored;

    /// <summary>A name as stored, or an older absolute path inside the directory as its name; null for anything else.</summary>
    private string? StoredName(string stored) =>
        !Path.IsPathFullyQualified(stored) ? stored
        : string.Equals(Path.GetDirectoryName(Path.GetFullPath(stored)), Directory, StringComparison.Ordinal) ? Path.GetFileName(stored)
        : null;

    [LoggerMessage(EventId = LogEventIds.WebServices + 40, Level = LogLevel.Warning,
        Message = "VHID {Key}: {Field} '{Stored}' is not a usable script in {Directory} ({Reason}); it is not run. Choose a script by name.")]
    private partial void LogNotRun(string key, string field, string stored, string directory, string? reason);
}
