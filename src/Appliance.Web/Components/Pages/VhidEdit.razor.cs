using System.Text.RegularExpressions;
using Appliance.Engine.Configuration;
using Appliance.Engine.StateMachine;
using Appliance.Web.Api;
using Appliance.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;

namespace Appliance.Web.Components.Pages;

/// <summary>
/// Create and edit a VHID. Every keystroke runs the same <see cref="VhidValidator"/> the REST API uses
/// (through <see cref="VhidService.Validate"/>) and shows its messages beside the fields; a field's
/// messages appear once it was touched, all of them after the first submit.
/// </summary>
public sealed partial class VhidEdit
{
    private const int MaxChecks = 16;

    /// <summary>The validator's camelCase keys and the form's properties.</summary>
    private static readonly Dictionary<string, string> Fields = new(StringComparer.Ordinal)
    {
        ["interface"] = nameof(VhidInput.Interface),
        ["vhid"] = nameof(VhidInput.Vhid),
        ["advbase"] = nameof(VhidInput.AdvBase),
        ["advskew"] = nameof(VhidInput.AdvSkew),
        ["password"] = nameof(VhidInput.Password),
        ["vip"] = nameof(VhidInput.Vip),
        ["prefixLength"] = nameof(VhidInput.PrefixLength),
        ["srcip"] = nameof(VhidInput.SrcIp),
        ["peers"] = nameof(VhidInput.Peers),
        ["deadratio"] = nameof(VhidInput.DeadRatio),
        ["upscript"] = nameof(VhidInput.UpScript),
        ["downscript"] = nameof(VhidInput.DownScript),
        ["xparam"] = nameof(VhidInput.XParam),
        ["replayCheck"] = nameof(VhidInput.ReplayCheck),
    };

    /// <summary>The validator's keys of the flap-damping fields and the properties of <see cref="FlapDampingInput"/>.</summary>
    private static readonly Dictionary<string, string> FlapFields = new(StringComparer.Ordinal)
    {
        ["flapDamping.enabled"] = nameof(FlapDampingInput.Enabled),
        ["flapDamping.penalty"] = nameof(FlapDampingInput.Penalty),
        ["flapDamping.suppressThreshold"] = nameof(FlapDampingInput.SuppressThreshold),
        ["flapDamping.reuseThreshold"] = nameof(FlapDampingInput.ReuseThreshold),
        ["flapDamping.halfLifeSeconds"] = nameof(FlapDampingInput.HalfLifeSeconds),
        ["flapDamping.maxSuppressSeconds"] = nameof(FlapDampingInput.MaxSuppressSeconds),
    };

    private readonly HashSet<string> _touched = new(StringComparer.Ordinal);
    /// <summary>Touched check fields, by row object (indices shift when a row is removed).</summary>
    private readonly HashSet<FieldIdentifier> _touchedChecks = [];
    private VhidInput _input = new();
    private EditContext _editContext = default!;
    private ValidationMessageStore _messages = default!;
    private IReadOnlyDictionary<string, string[]> _errors = new Dictionary<string, string[]>();
    private string _title = "";
    /// <summary>The peers field as typed, so that separators typed so far stay on screen.</summary>
    private string _peersText = "";
    private bool _submitted;
    private bool _saving;
    private bool _confirmDelete;
    private bool _notFound;

    [Parameter]
    public int? Id { get; set; }

    [Inject]
    private VhidService Vhids { get; set; } = default!;

    [Inject]
    private ScriptCatalog Scripts { get; set; } = default!;

    /// <summary>The usable scripts offered in the script fields (read when the form renders).</summary>
    private IEnumerable<string> UsableScripts => Scripts.List().Where(s => s.Usable).Select(s => s.Name);

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private bool IsNew => Id is null;

    private bool Enabled { get => _input.Enabled ?? true; set => _input.Enabled = value; }

    private bool Preempt { get => _input.Preempt ?? false; set => _input.Preempt = value; }

    private bool Neutral { get => _input.Neutral ?? false; set => _input.Neutral = value; }

    private List<CheckInput> Checks => _input.Checks ??= [];

    /// <summary>The form always edits the whole flap-damping object (the API also takes it partly or not at all).</summary>
    private FlapDampingInput Flap => _input.FlapDamping ??= DefaultFlap();

    private bool FlapEnabled { get => Flap.Enabled ?? true; set => Flap.Enabled = value; }

    private static FlapDampingInput DefaultFlap() => new()
    {
        Enabled = true,
        Penalty = FlapDampingConfig.DefaultPenalty,
        SuppressThreshold = FlapDampingConfig.DefaultSuppressThreshold,
        ReuseThreshold = FlapDampingConfig.DefaultReuseThreshold,
        HalfLifeSeconds = FlapDampingConfig.DefaultHalfLifeSeconds,
        MaxSuppressSeconds = FlapDampingConfig.DefaultMaxSuppressSeconds,
    };

    protected override void OnParametersSet()
    {
        _input = new VhidInput
        {
            AdvBase = 1, AdvSkew = 0, DeadRatio = 3, PrefixLength = 32, Enabled = true, Preempt = false, Neutral = false, ReplayCheck = "strict",
            FlapDamping = DefaultFlap(),
        };
        _notFound = false;
        if (Id is { } id)
        {
            if (Vhids.Get(id) is not { } v)
            {
                _notFound = true;
            }
            else
            {
                _title = $"vhid {v.Vhid} on {v.Interface}";
                _input = new VhidInput
                {
                    Interface = v.Interface,
                    Vhid = v.Vhid,
                    AdvBase = v.AdvBase,
                    AdvSkew = v.AdvSkew,
                    Vip = v.Vip,
                    PrefixLength = v.PrefixLength,
                    SrcIp = v.SrcIp,
                    Peers = [.. v.Peers.Select(p => (string?)p)],
                    Preempt = v.Preempt,
                    Neutral = v.Neutral,
                    DeadRatio = v.DeadRatio,
                    UpScript = v.UpScript,
                    DownScript = v.DownScript,
                    XParam = v.XParam,
                    ReplayCheck = v.ReplayCheck,
                    FlapDamping = new FlapDampingInput
                    {
                        Enabled = v.FlapDamping.Enabled,
                        Penalty = v.FlapDamping.Penalty,
                        SuppressThreshold = v.FlapDamping.SuppressThreshold,
                        ReuseThreshold = v.FlapDamping.ReuseThreshold,
                        HalfLifeSeconds = v.FlapDamping.HalfLifeSeconds,
                        MaxSuppressSeconds = v.FlapDamping.MaxSuppressSeconds,
                    },
                    Enabled = v.Enabled,
                    Checks = [.. v.Checks.Select(c => new CheckInput
                    {
                        Name = c.Name,
                        Kind = c.Kind,
                        Target = c.Target,
                        ExpectedStatus = c.ExpectedStatus,
                        IntervalMs = c.IntervalMs,
                        TimeoutMs = c.TimeoutMs,
                        Rise = c.Rise,
                        Fall = c.Fall,
                        Arguments = [.. c.Arguments],
                    })],
                };
            }
        }
        _peersText = string.Join('\n', _input.Peers ?? []);
        _editContext = new EditContext(_input);
        _messages = new ValidationMessageStore(_editContext);
        _touched.Clear();
        _touchedChecks.Clear();
        _errors = new Dictionary<string, string[]>();
        _submitted = false;
        _confirmDelete = false;
    }

    private void Touch(string field)
    {
        _touched.Add(field);
        Show(Vhids.Validate(_input, Id));
    }

    private void Show(IReadOnlyDictionary<string, string[]> errors)
    {
        _errors = errors;
        _messages.Clear();
        foreach (var (key, messages) in errors)
        {
            if (CheckField(key) is { } checkField)
            {
                if (_submitted || _touchedChecks.Contains(checkField))
                {
                    _messages.Add(checkField, messages);
                }
                continue;
            }
            if (!_submitted && !_touched.Contains(key))
            {
                continue;
            }
            var field = Fields.TryGetValue(key, out var property) ? _editContext.Field(property)
                : FlapFields.TryGetValue(key, out var flapProperty) ? new FieldIdentifier(Flap, flapProperty)
                : new FieldIdentifier(_input, "");
            _messages.Add(field, messages);
        }
        _editContext.NotifyValidationStateChanged();
    }

    /// <summary>"checks[2].intervalMs" to the row's field (IntervalMs); null for other keys or a row that is gone.</summary>
    private FieldIdentifier? CheckField(string key)
    {
        var match = CheckKey().Match(key);
        if (!match.Success || !int.TryParse(match.Groups[1].ValueSpan, out var index) || index >= Checks.Count)
        {
            return null;
        }
        var name = match.Groups[2].Value;
        return new FieldIdentifier(Checks[index], char.ToUpperInvariant(name[0]) + name[1..]);
    }

    private void TouchCheck(CheckInput check, string property)
    {
        _touchedChecks.Add(new FieldIdentifier(check, property));
        Show(Vhids.Validate(_input, Id));
    }

    private IEnumerable<string> CheckMessages(CheckInput check, string property) =>
        _editContext.GetValidationMessages(new FieldIdentifier(check, property));

    private string CheckCss(CheckInput check, string property) => CheckMessages(check, property).Any() ? "invalid" : "";

    private void AddCheck()
    {
        var n = Checks.Count + 1;
        var name = $"check{n}";
        while (Checks.Any(c => c.Name == name))
        {
            name = $"check{++n}";
        }
        Checks.Add(new CheckInput
        {
            Name = name,
            Kind = CheckKinds.Http,
            IntervalMs = VhidValidator.DefaultIntervalMs,
            TimeoutMs = VhidValidator.DefaultTimeoutMs,
            Rise = VhidValidator.DefaultRise,
            Fall = VhidValidator.DefaultFall,
        });
        _touched.Add("checks");
        Show(Vhids.Validate(_input, Id));
    }

    private void RemoveCheck(CheckInput check)
    {
        Checks.Remove(check);
        _touchedChecks.RemoveWhere(f => ReferenceEquals(f.Model, check));
        Show(Vhids.Validate(_input, Id));
    }

    /// <summary>A limit as the hints show it ("0–254"), from the engine's rules so the form cannot disagree with them.</summary>
    private static string Range(VhidLimit limit) => $"{limit.Min}–{limit.Max}";

    private static string TargetHint(string? kind) => kind switch
    {
        CheckKinds.Tcp => "host:port",
        CheckKinds.Command => "a script in the scripts directory",
        _ => "http:// URL",
    };

    private static string TargetPlaceholder(string? kind) => kind switch
    {
        CheckKinds.Tcp => "127.0.0.1:80",
        CheckKinds.Command => "check-disk",
        _ => "http://127.0.0.1/",
    };

    /// <summary>One peer per line (blank lines left out, commas and spaces also separate); the API itself takes a JSON list.</summary>
    private void SetPeers(string? text)
    {
        _peersText = text ?? "";
        var peers = (text ?? "").Split([',', ' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        _input.Peers = peers.Length == 0 ? null : [.. peers.Select(p => (string?)p)];
        Touch("peers");
    }

    private static string ArgumentsText(CheckInput check) => string.Join('\n', check.Arguments ?? []);

    /// <summary>One argument per line of the form's text; the API itself takes a JSON list.</summary>
    private void SetArguments(CheckInput check, string? text)
    {
        check.Arguments = string.IsNullOrEmpty(text) ? null : [.. text.ReplaceLineEndings("\n").Split('\n').Select(a => (string?)a)];
        TouchCheck(check, nameof(CheckInput.Arguments));
    }

    [GeneratedRegex(@"^checks\[(\d+)\]\.([A-Za-z]+)$")]
    private static partial Regex CheckKey();

    private string Css(string key) => _errors.ContainsKey(key) && (_submitted || _touched.Contains(key)) ? "invalid" : "";

    private async Task SaveAsync()
    {
        _submitted = true;
        _saving = true;
        try
        {
            var actor = (await AuthenticationState).User.Actor();
            var result = Id is { } id
                ? await Vhids.UpdateAsync(id, _input, actor, CancellationToken.None)
                : await Vhids.CreateAsync(_input, actor, CancellationToken.None);
            switch (result.Status)
            {
                case ServiceStatus.Ok:
                    Navigation.NavigateTo("/");
                    break;
                case ServiceStatus.NotFound:
                    _notFound = true;
                    break;
                default:
                    Show(result.Errors);
                    break;
            }
        }
        finally
        {
            _saving = false;
        }
    }

    private async Task DeleteAsync()
    {
        if (Id is not { } id)
        {
            return;
        }
        var actor = (await AuthenticationState).User.Actor();
        await Vhids.DeleteAsync(id, actor, CancellationToken.None);
        Navigation.NavigateTo("/");
    }
}
