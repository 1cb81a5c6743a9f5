using System.Globalization;
using System.Text.Json;
using Appliance.Engine.Configuration;
using Appliance.Engine.Health;
using Appliance.Engine.StateMachine;
using Appliance.Engine.Transport;
using Appliance.Web.Storage;

namespace Appliance.Web.Services;

/// <summary>
/// The validation of a VHID for the REST API, the dashboard and the web import alike: the CARP values go
/// through the engine's <see cref="VhidRules"/> (the same rules as <c>appliance carp</c> and <c>import</c>), and
/// only what the web alone knows is checked here (interface existence, duplicates, scripts by name in the scripts
/// directory (<see cref="ScriptCatalog"/>), health checks). Reports
/// every bad field at once, keyed by the camelCase field name of the API.
/// </summary>
public sealed class VhidValidator(IDataPlane dataPlane, ScriptCatalog scripts)
{
    private const int MaxTextLength = 1024;
    private const int MaxChecks = 16;
    private const int MaxArguments = 32;
    private const int MaxCheckName = 64;
    private const int MaxRiseFall = 100;
    private const long MinIntervalMs = 10;
    private const long MaxIntervalMs = 86_400_000;
    public const int DefaultIntervalMs = 2000;
    public const int DefaultTimeoutMs = 1000;
    public const int DefaultRise = 2;
    public const int DefaultFall = 3;

    /// <summary>
    /// Validates <paramref name="input"/> against the other stored VHIDs (<paramref name="existingId"/>
    /// is the VHID being replaced, or null on create) and returns the normalized record on success.
    /// </summary>
    public IReadOnlyDictionary<string, string[]> Validate(
        VhidInput input, int? existingId, IReadOnlyList<StoredVhid> others, out StoredVhid? normalized)
    {
        var errors = new ValidationErrors();
        normalized = null;
        var existing = existingId is { } id ? others.FirstOrDefault(v => v.Id == id) : null;

        // The CARP values: the engine's rules, as carp's command line and import check them.
        var password = string.IsNullOrEmpty(input.Password) ? existing?.Password : input.Password;
        VhidRules.TryBuild(ToSettings(input, password), out var config, out var ruleErrors);
        foreach (var error in ruleErrors)
        {
            errors.Add(FieldName(error.Field), error.Format(FieldName));
        }

        // What only the appliance knows: its interfaces and its other VHIDs.
        var iface = input.Interface?.Trim();
        var ifaceValid = !string.IsNullOrEmpty(iface) && !ruleErrors.Any(e => e.Field == VhidField.Interface);
        if (ifaceValid && dataPlane.GetInterfaceIndex(iface!) is null)
        {
            errors.Add("interface", $"The interface '{iface}' does not exist.");
        }
        if (ifaceValid && input.Vhid is { } vhid && !ruleErrors.Any(e => e.Field == VhidField.Vhid)
            && others.Any(v => v.Id != existingId && v.Vhid == vhid && string.Equals(v.Interface, iface, StringComparison.Ordinal)))
        {
            errors.Add("vhid", $"vhid {vhid} is already configured on {iface}.");
        }

        // Over HTTP a script is a name in the scripts directory, never a path or a shell line.
        if (!ruleErrors.Any(e => e.Field == VhidField.UpScript))
        {
            scripts.Validate(errors, "upscript", EmptyToNull(input.UpScript));
        }
        if (!ruleErrors.Any(e => e.Field == VhidField.DownScript))
        {
            scripts.Validate(errors, "downscript", EmptyToNull(input.DownScript));
        }

        var checks = ValidateChecks(errors, input.Checks);

        if (!errors.IsEmpty || config is null)
        {
            return errors.ToDictionary();
        }

        normalized = new StoredVhid
        {
            Id = existingId ?? 0,
            Interface = config.Interface,
            Vhid = config.Vhid,
            AdvBase = config.AdvBase,
            AdvSkew = config.AdvSkew,
            Password = config.Password,
            Vip = config.VirtualAddressText!,
            PrefixLength = config.PrefixLength,
            SrcIp = config.SourceAddress?.ToString(),
            Peers = [.. config.Peers.Select(p => p.ToString())],
            Preempt = config.Preempt,
            Neutral = config.Neutral,
            DeadRatio = (int)config.DeadRatio,
            UpScript = config.UpScript,
            DownScript = config.DownScript,
            XParam = config.ExtraParameter,
            ReplayCheck = VhidRules.ReplayCheckName(config.ReplayCheck),
            FlapDamping = VhidMapper.ToStored(config.FlapDamping),
            Enabled = input.Enabled ?? true,
            Maintenance = existing?.Maintenance ?? false,
            CreatedAt = existing?.CreatedAt ?? default,
            Checks = checks,
        };
        return errors.ToDictionary();
    }

    /// <summary>The API's (and the form's) name of a field: the JSON property of <see cref="VhidInput"/>.</summary>
    public static string FieldName(VhidField field) => field switch
    {
        VhidField.Interface => "interface",
        VhidField.Vhid => "vhid",
        VhidField.Password => "password",
        VhidField.VirtualAddress => "vip",
        VhidField.PrefixLength => "prefixLength",
        VhidField.SourceAddress => "srcip",
        VhidField.MulticastGroup => "mcast",
        VhidField.NoMulticast => "nomcast",
        VhidField.Peers => "peers",
        VhidField.AdvBase => "advbase",
        VhidField.AdvSkew => "advskew",
        VhidField.DeadRatio => "deadratio",
        VhidField.UpScript => "upscript",
        VhidField.DownScript => "downscript",
        VhidField.ExtraParameter => "xparam",
        VhidField.ReplayCheck => "replayCheck",
        VhidField.FlapDamping => "flapDamping.enabled",
        VhidField.FlapPenalty => "flapDamping.penalty",
        VhidField.FlapSuppressThreshold => "flapDamping.suppressThreshold",
        VhidField.FlapReuseThreshold => "flapDamping.reuseThreshold",
        VhidField.FlapHalfLife => "flapDamping.halfLifeSeconds",
        VhidField.FlapMaxSuppress => "flapDamping.maxSuppressSeconds",
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };

    private static VhidSettings ToSettings(VhidInput input, string? password) => new()
    {
        Interface = input.Interface,
        Vhid = Text(input.Vhid),
        Password = password,
        VirtualAddress = input.Vip,
        PrefixLength = Text(input.PrefixLength),
        SourceAddress = input.SrcIp,
        Peers = input.Peers is null ? null : [.. input.Peers.Select(p => p ?? "")],
        AdvBase = Text(input.AdvBase),
        AdvSkew = Text(input.AdvSkew),
        DeadRatio = Text(input.DeadRatio),
        UpScript = EmptyToNull(input.UpScript),
        DownScript = EmptyToNull(input.DownScript),
        ExtraParameter = EmptyToNull(input.XParam),
        ReplayCheck = input.ReplayCheck,
        FlapDamping = input.FlapDamping?.Enabled is { } on ? VhidRules.OnOffName(on) : null,
        FlapPenalty = Text(input.FlapDamping?.Penalty),
        FlapSuppressThreshold = Text(input.FlapDamping?.SuppressThreshold),
        FlapReuseThreshold = Text(input.FlapDamping?.ReuseThreshold),
        FlapHalfLife = Text(input.FlapDamping?.HalfLifeSeconds),
        FlapMaxSuppress = Text(input.FlapDamping?.MaxSuppressSeconds),
        Preempt = input.Preempt ?? false,
        Neutral = input.Neutral ?? false,
        // In the appliance the engine adds and removes the VIP itself.
        ManageVip = true,
    };

    private static string? Text(long? number) => number?.ToString(CultureInfo.InvariantCulture);

    /// <summary>Each check's errors keyed "checks[i].field"; the target is checked by the health monitor's own rules.</summary>
    private List<StoredCheck> ValidateChecks(ValidationErrors errors, IReadOnlyList<CheckInput?>? inputs)
    {
        var result = new List<StoredCheck>();
        if (inputs is null)
        {
            return result;
        }
        if (inputs.Count > MaxChecks)
        {
            errors.Add("checks", $"At most {MaxChecks} checks per VHID (were {inputs.Count}).");
            return result;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++)
        {
            var prefix = $"checks[{i}].";
            var input = inputs[i];
            if (input is null)
            {
                errors.Add($"checks[{i}]", "A check must be an object.");
                continue;
            }
            var before = errors.Count;
            var name = input.Name?.Trim();
            if (string.IsNullOrEmpty(name))
            {
                errors.Add(prefix + "name", "The check name is required.");
            }
            else if (name.Length > MaxCheckName || name.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            {
                errors.Add(prefix + "name", $"The check name must be 1-{MaxCheckName} characters without spaces.");
            }
            else if (!names.Add(name))
            {
                errors.Add(prefix + "name", $"The check name '{name}' is used twice.");
            }
            var kind = VhidMapper.ParseKind(input.Kind);
            if (kind is null)
            {
                errors.Add(prefix + "kind", $"kind must be \"http\", \"tcp\" or \"command\" (was '{input.Kind}').");
            }
            var target = input.Target?.Trim();
            if (string.IsNullOrEmpty(target))
            {
                errors.Add(prefix + "target", "The check target is required.");
            }
            else if (target.Length > MaxTextLength || target.Any(char.IsControl))
            {
                errors.Add(prefix + "target", $"The target must be at most {MaxTextLength} characters without control characters.");
            }
            var interval = input.IntervalMs ?? DefaultIntervalMs;
            if (interval is < MinIntervalMs or > MaxIntervalMs)
            {
                errors.Add(prefix + "intervalMs", $"intervalMs must be between {MinIntervalMs} and {MaxIntervalMs} (was {interval}).");
            }
            var timeout = input.TimeoutMs ?? DefaultTimeoutMs;
            if (timeout is < MinIntervalMs or > MaxIntervalMs)
            {
                errors.Add(prefix + "timeoutMs", $"timeoutMs must be between {MinIntervalMs} and {MaxIntervalMs} (was {timeout}).");
            }
            var rise = input.Rise ?? DefaultRise;
            if (rise is < 1 or > MaxRiseFall)
            {
                errors.Add(prefix + "rise", $"rise must be between 1 and {MaxRiseFall} (was {rise}).");
            }
            var fall = input.Fall ?? DefaultFall;
            if (fall is < 1 or > MaxRiseFall)
            {
                errors.Add(prefix + "fall", $"fall must be between 1 and {MaxRiseFall} (was {fall}).");
            }
            if (input.ExpectedStatus is < int.MinValue or > int.MaxValue)
            {
                errors.Add(prefix + "expectedStatus", $"expectedStatus {input.ExpectedStatus} is out of range.");
            }
            if (kind == HealthCheckKind.Command && !string.IsNullOrEmpty(target) && target.Length <= MaxTextLength)
            {
                scripts.Validate(errors, prefix + "target", target);
            }
            var arguments = ValidateArguments(errors, prefix + "arguments", kind, input.Arguments);
            if (errors.Count != before || kind is null)
            {
                continue;
            }
            var stored = new StoredCheck
            {
                Name = name!,
                Kind = kind switch { HealthCheckKind.Http => CheckKinds.Http, HealthCheckKind.Tcp => CheckKinds.Tcp, _ => CheckKinds.Command },
                Target = target!,
                ExpectedStatus = kind == HealthCheckKind.Tcp ? null : (int?)input.ExpectedStatus,
                IntervalMs = (int)interval,
                TimeoutMs = (int)timeout,
                Rise = (int)rise,
                Fall = (int)fall,
                Arguments = arguments,
            };
            // The monitor's own rules for the target and expected status (URL, host:port, command words, ranges).
            foreach (var problem in VhidMapper.ToHealthCheck(stored, scripts).Validate())
            {
                var (field, message) = problem.Split(':', 2) is [var f, var m] ? (f.Trim(), m.Trim()) : ("Target", problem);
                errors.Add(prefix + JsonNamingPolicy.CamelCase.ConvertName(field), message.Length > 0 ? char.ToUpperInvariant(message[0]) + message[1..] + "." : problem);
            }
            if (errors.Count == before)
            {
                result.Add(stored);
            }
        }
        return result;
    }

    /// <summary>A command check's argv: a list of strings, each kept as it is (no splitting, no shell); none for HTTP and TCP.</summary>
    private static List<string> ValidateArguments(ValidationErrors errors, string field, HealthCheckKind? kind, List<string?>? arguments)
    {
        if (arguments is null || arguments.Count == 0)
        {
            return [];
        }
        if (kind != HealthCheckKind.Command)
        {
            errors.Add(field, "Only command checks take arguments.");
        }
        else if (arguments.Count > MaxArguments)
        {
            errors.Add(field, $"At most {MaxArguments} arguments (were {arguments.Count}).");
        }
        else if (arguments.Any(a => a is null || a.Length > MaxTextLength || a.Any(char.IsControl)))
        {
            errors.Add(field, $"Each argument must be a string of at most {MaxTextLength} characters without control characters.");
        }
        return [.. arguments.Select(a => a ?? "")];
    }

    private static string? EmptyToNull(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
