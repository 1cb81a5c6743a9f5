using Appliance.Engine.Import;
using Appliance.Engine.StateMachine;
using Appliance.Web.Api;
using Appliance.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;

namespace Appliance.Web.Components.Pages;

/// <summary>
/// Imports an existing ucarp setup, reading no server file (<see cref="ImportApi.ParseForWeb"/>: a passfile is
/// refused, script paths become script names or are dropped). Preview parses with the engine's <see cref="UcarpConfigImporter"/> and runs
/// each VHID through the one validator (<see cref="VhidService.Validate"/>) without writing; Import hands the
/// parse to <see cref="VhidService.ImportAsync"/>, the same service as POST /api/import and `appliance import`.
/// </summary>
public sealed partial class Import
{
    /// <summary>
    /// Small on purpose: the text travels over the circuit (32 KB per message by default), and real ucarp.conf
    /// or interfaces files are a few hundred bytes.
    /// </summary>
    private const int MaxBytes = 16 * 1024;
    private const string DefaultSourceName = "ucarp.conf";

    private string _text = "";
    private string _sourceName = DefaultSourceName;
    private string? _problem;
    private bool _importing;
    private ImportResult? _preview;
    private List<ImportLine> _previewLines = [];
    private List<PlannedVhid> _planned = [];
    private ImportOutcome? _outcome;

    [Inject]
    private VhidService Vhids { get; set; } = default!;

    [Inject]
    private ScriptCatalog Scripts { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private async Task LoadFileAsync(InputFileChangeEventArgs e)
    {
        _problem = null;
        var file = e.File;
        if (file.Size > MaxBytes)
        {
            _problem = $"{file.Name} is {file.Size / 1024.0:0.#} KB; at most {MaxBytes / 1024} KB can be imported here (use `appliance import FILE` for larger files).";
            return;
        }
        try
        {
            await using var stream = file.OpenReadStream(MaxBytes);
            using var reader = new StreamReader(stream);
            _text = await reader.ReadToEndAsync();
            _sourceName = file.Name;
            _preview = null;
            _outcome = null;
        }
        catch (IOException ex)
        {
            _problem = $"Could not read {file.Name}: {ex.Message}";
        }
    }

    private bool TryParse(out ImportResult result)
    {
        result = null!;
        _problem = null;
        if (string.IsNullOrWhiteSpace(_text))
        {
            _problem = "Paste a ucarp.conf or /etc/network/interfaces first, or upload the file.";
            return false;
        }
        if (_text.Length > MaxBytes)
        {
            _problem = $"The text is longer than {MaxBytes / 1024} KB; use `appliance import FILE` for larger files.";
            return false;
        }
        var sourceName = string.IsNullOrWhiteSpace(_sourceName) ? DefaultSourceName : _sourceName.Trim();
        if (sourceName.Length > 255 || sourceName.Any(char.IsControl))
        {
            _problem = "The source name must be at most 255 characters without control characters.";
            return false;
        }
        result = ImportApi.ParseForWeb(_text, sourceName, Scripts, out var passfileRefused);
        if (passfileRefused)
        {
            _problem = PasswordFiles.WebRefusal;
            return false;
        }
        return true;
    }

    private void Preview()
    {
        _outcome = null;
        if (!TryParse(out var result))
        {
            _preview = null;
            return;
        }
        _preview = result;
        _previewLines = [.. result.Messages.Select(m => new ImportLine(m.Line, m.Severity, m.Text, m.Format(result.SourceName)))];
        var existing = Vhids.List();
        _planned = [];
        foreach (var config in result.Vhids)
        {
            var input = VhidMapper.ToInput(config);
            var problems = new List<string>();
            if (existing.Any(v => v.Vhid == config.Vhid && string.Equals(v.Interface, config.Interface, StringComparison.Ordinal)))
            {
                problems.Add($"skipped: vhid {config.Vhid} is already configured on {config.Interface}");
            }
            else
            {
                foreach (var (field, messages) in Vhids.Validate(input, null))
                {
                    problems.AddRange(messages.Select(m => $"not imported: {field}: {m}"));
                }
            }
            _planned.Add(new PlannedVhid(config, input, problems));
        }
    }

    private async Task ImportAsync()
    {
        if (_importing || !TryParse(out var result))
        {
            return;
        }
        _importing = true;
        try
        {
            var actor = (await AuthenticationState).User.Actor();
            _outcome = await Vhids.ImportAsync(result, actor, applyLive: true, CancellationToken.None);
            _preview = null;
        }
        finally
        {
            _importing = false;
        }
    }

    private static string FormatName(UcarpConfigFormat format) => format switch
    {
        UcarpConfigFormat.DebianInterfaces => "Debian /etc/network/interfaces",
        _ => "ucarp.conf shell variables",
    };

    private static string Options(VhidInput input)
    {
        var options = new List<string>();
        if (input.Preempt == true)
        {
            options.Add("preempt");
        }
        if (input.Neutral == true)
        {
            options.Add("neutral");
        }
        if (input.UpScript is { Length: > 0 })
        {
            options.Add("up script");
        }
        if (input.DownScript is { Length: > 0 })
        {
            options.Add("down script");
        }
        if (input.XParam is { Length: > 0 } x)
        {
            options.Add($"xparam {x}");
        }
        return options.Count == 0 ? "—" : string.Join(", ", options);
    }

    private sealed record PlannedVhid(VhidConfig Config, VhidInput Input, List<string> Problems);
}
