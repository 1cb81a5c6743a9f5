using Appliance.Web.Services;
using Appliance.Web.Storage;

namespace Appliance.Web.Hosting;

/// <summary>
/// First-start seeding of one VHID from APPLIANCE_VHID_INTERFACE, APPLIANCE_VHID, APPLIANCE_VIP (address with
/// optional /prefix), APPLIANCE_PASSWORD and the optional APPLIANCE_SRCIP, APPLIANCE_ADVBASE, APPLIANCE_ADVSKEW,
/// APPLIANCE_DEADRATIO, APPLIANCE_PREEMPT and APPLIANCE_CHECK_HTTP (an HTTP check, 200 expected, every 2 s,
/// timeout 1 s, rise 2, fall 3). Only while the store has no VHID; validated by the one VhidValidator with each
/// error naming its variable. Empty variables count as unset.
/// </summary>
public sealed class InitialVhid
{
    public const string Interface = "APPLIANCE_VHID_INTERFACE";
    public const string Vhid = "APPLIANCE_VHID";
    public const string Vip = "APPLIANCE_VIP";
    public const string Password = "APPLIANCE_PASSWORD";
    public const string SrcIp = "APPLIANCE_SRCIP";
    public const string AdvBase = "APPLIANCE_ADVBASE";
    public const string AdvSkew = "APPLIANCE_ADVSKEW";
    public const string DeadRatio = "APPLIANCE_DEADRATIO";
    public const string Preempt = "APPLIANCE_PREEMPT";
    public const string CheckHttp = "APPLIANCE_CHECK_HTTP";
    public const string CheckName = "http";

    private static readonly string[] RequiredNames = [Interface, Vhid, Vip, Password];
    private static readonly string[] AllNames = [Interface, Vhid, Vip, Password, SrcIp, AdvBase, AdvSkew, DeadRatio, Preempt, CheckHttp];

    private InitialVhid(VhidInput? input, IReadOnlyList<string> errors, IReadOnlyList<string> ignored)
    {
        Input = input;
        Errors = errors;
        Ignored = ignored;
    }

    /// <summary>What to create at start; null when nothing is to be seeded.</summary>
    public VhidInput? Input { get; }

    /// <summary>Each bad variable, named; non-empty stops the start.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>The variables that are set but ignored because the store already has VHIDs.</summary>
    public IReadOnlyList<string> Ignored { get; }

    public static InitialVhid Prepare(IConfiguration configuration, IApplianceStore store, VhidValidator validator)
    {
        string? Get(string name) => EnvironmentSettings.NonEmpty(configuration[name]);
        var set = AllNames.Where(n => Get(n) is not null).ToList();
        if (set.Count == 0)
        {
            return new InitialVhid(null, [], []);
        }
        var existing = store.Vhids.GetAll();
        if (existing.Count > 0)
        {
            return new InitialVhid(null, [], set);
        }
        var errors = new List<string>();
        var missing = RequiredNames.Where(n => Get(n) is null).ToList();
        if (missing.Count > 0)
        {
            errors.Add($"{string.Join(", ", missing)} not set: the initial VHID needs {string.Join(", ", RequiredNames)} "
                + $"(set: {string.Join(", ", set)}); set all four, or none.");
            return new InitialVhid(null, errors, []);
        }

        int? Number(string name)
        {
            if (Get(name) is not { } text)
            {
                return null;
            }
            if (EnvironmentSettings.TryParseInt(text, out var value))
            {
                return value;
            }
            errors.Add($"{name}: '{text}' is not a whole number.");
            return null;
        }

        var input = new VhidInput
        {
            Interface = Get(Interface),
            Vhid = Number(Vhid),
            Password = configuration[Password],
            SrcIp = Get(SrcIp),
            AdvBase = Number(AdvBase),
            AdvSkew = Number(AdvSkew),
            DeadRatio = Number(DeadRatio),
            Enabled = true,
        };
        var vip = Get(Vip)!;
        var slash = vip.IndexOf('/', StringComparison.Ordinal);
        input.Vip = slash < 0 ? vip : vip[..slash];
        if (slash >= 0)
        {
            if (EnvironmentSettings.TryParseInt(vip[(slash + 1)..], out var prefix))
            {
                input.PrefixLength = prefix;
            }
            else
            {
                errors.Add($"{Vip}: '{vip}' is not an address with an optional /prefix (192.0.2.10/24).");
            }
        }
        if (Get(Preempt) is { } preempt)
        {
            input.Preempt = preempt.ToLowerInvariant() switch
            {
                "yes" or "true" or "on" or "1" => true,
                "no" or "false" or "off" or "0" => false,
                _ => null,
            };
            if (input.Preempt is null)
            {
                errors.Add($"{Preempt}: '{preempt}' is not yes/no (also true/false, on/off, 1/0).");
            }
        }
        if (Get(CheckHttp) is { } url)
        {
            input.Checks =
            [
                new CheckInput
                {
                    Name = CheckName,
                    Kind = CheckKinds.Http,
                    Target = url,
                    ExpectedStatus = 200,
                    IntervalMs = VhidValidator.DefaultIntervalMs,
                    TimeoutMs = VhidValidator.DefaultTimeoutMs,
                    Rise = VhidValidator.DefaultRise,
                    Fall = VhidValidator.DefaultFall,
                },
            ];
        }
        if (errors.Count == 0)
        {
            foreach (var (field, messages) in validator.Validate(input, null, existing, out _))
            {
                errors.AddRange(messages.Select(m => $"{VariableFor(field)}: {m}"));
            }
        }
        return errors.Count > 0 ? new InitialVhid(null, errors, []) : new InitialVhid(input, [], []);
    }

    private static string VariableFor(string field) => field switch
    {
        "interface" => Interface,
        "vhid" => Vhid,
        "vip" or "prefixLength" => Vip,
        "password" => Password,
        "srcip" => SrcIp,
        "advbase" => AdvBase,
        "advskew" => AdvSkew,
        "deadratio" => DeadRatio,
        _ when field.StartsWith("checks", StringComparison.Ordinal) => CheckHttp,
        _ => field,
    };
}
