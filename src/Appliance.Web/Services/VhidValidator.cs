using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Appliance.Engine.Health;
using Appliance.Engine.StateMachine;
using Appliance.Engine.Transport;
using Appliance.Web.Storage;

namespace Appliance.Web.Services;

/// <summary>
/// The one validation of a VHID, used by the REST API and the dashboard alike. Reports every bad
/// field at once, keyed by the camelCase field name of the API.
/// </summary>
public sealed class VhidValidator(IDataPlane dataPlane)
{
    /// <summary>IFNAMSIZ - 1.</summary>
    private const int MaxInterfaceName = 15;
    private const int MaxTextLength = 1024;
    private const int MaxChecks = 16;
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

        var iface = input.Interface?.Trim();
        if (string.IsNullOrEmpty(iface))
        {
            errors.Add("interface", "The interface is required.");
        }
        else if (iface.Length > MaxInterfaceName || iface.Any(c => char.IsWhiteSpace(c) || c == '/'))
        {
            errors.Add("interface", $"'{iface}' is not a valid interface name.");
        }
        else if (dataPlane.GetInterfaceIndex(iface) is null)
        {
            errors.Add("interface", $"The interface '{iface}' does not exist.");
        }

        if (input.Vhid is not { } vhid)
        {
            errors.Add("vhid", "The vhid is required.");
        }
        else if (vhid is < 1 or > 255)
        {
            errors.Add("vhid", $"The vhid must be between 1 and 255 (was {vhid}).");
        }
        else if (!string.IsNullOrEmpty(iface)
            && others.Any(v => v.Id != existingId && v.Vhid == vhid && string.Equals(v.Interface, iface, StringComparison.Ordinal)))
        {
            errors.Add("vhid", $"vhid {vhid} is already configured on {iface}.");
        }

        var advbase = input.AdvBase ?? 1;
        var advskew = input.AdvSkew ?? 0;
        if (advbase is < 0 or > 255)
        {
            errors.Add("advbase", $"advbase must be between 0 and 255 (was {advbase}).");
        }
        if (advskew is < 0 or > 254)
        {
            errors.Add("advskew", $"advskew must be between 0 and 254 (was {advskew}).");
        }
        if (advbase == 0 && advskew == 0)
        {
            // docs/carp-protocol.md, 4.1: a zero interval would advertise in a busy loop.
            errors.Add("advbase", "advbase and advskew must not both be 0.");
        }

        var deadratio = input.DeadRatio ?? 3;
        if (deadratio is < 1 or > 255)
        {
            errors.Add("deadratio", $"deadratio must be between 1 and 255 (was {deadratio}).");
        }

        var password = string.IsNullOrEmpty(input.Password) ? existing?.Password : input.Password;
        if (string.IsNullOrEmpty(password))
        {
            errors.Add("password", "The password is required.");
        }
        else if (Encoding.UTF8.GetByteCount(password) > CarpDefaults.MaxPasswordBytes)
        {
            // ucarp uses at most 19 bytes of the password as the HMAC key; reject rather than truncate silently.
            errors.Add("password", $"The password must be at most {CarpDefaults.MaxPasswordBytes} bytes.");
        }

        var vip = input.Vip?.Trim();
        if (string.IsNullOrEmpty(vip))
        {
            errors.Add("vip", "The vip is required.");
        }
        else if (!TryParseIPv4(vip, out var vipAddress))
        {
            errors.Add("vip", $"'{vip}' is not an IPv4 address.");
        }
        else if (!IsUsableUnicast(vipAddress))
        {
            errors.Add("vip", $"{vip} is not a usable unicast address.");
        }

        var prefixLength = input.PrefixLength ?? 32;
        if (prefixLength is < 1 or > 32)
        {
            errors.Add("prefixLength", $"prefixLength must be between 1 and 32 (was {prefixLength}).");
        }

        var srcip = string.IsNullOrWhiteSpace(input.SrcIp) ? null : input.SrcIp.Trim();
        if (srcip is not null && (!TryParseIPv4(srcip, out var srcAddress) || !IsUsableUnicast(srcAddress)))
        {
            errors.Add("srcip", $"'{srcip}' is not a usable IPv4 address.");
        }

        CheckText(errors, "upscript", input.UpScript);
        CheckText(errors, "downscript", input.DownScript);
        CheckText(errors, "xparam", input.XParam);

        var checks = ValidateChecks(errors, input.Checks);

        if (!errors.IsEmpty)
        {
            return errors.ToDictionary();
        }

        normalized = new StoredVhid
        {
            Id = existingId ?? 0,
            Interface = iface!,
            Vhid = input.Vhid!.Value,
            AdvBase = advbase,
            AdvSkew = advskew,
            Password = password!,
            Vip = vip!,
            PrefixLength = prefixLength,
            SrcIp = srcip,
            Preempt = input.Preempt ?? false,
            Neutral = input.Neutral ?? false,
            DeadRatio = (int)deadratio,
            UpScript = EmptyToNull(input.UpScript),
            DownScript = EmptyToNull(input.DownScript),
            XParam = EmptyToNull(input.XParam),
            Enabled = input.Enabled ?? true,
            Maintenance = existing?.Maintenance ?? false,
            CreatedAt = existing?.CreatedAt ?? default,
            Checks = checks,
        };
        return errors.ToDictionary();
    }

    /// <summary>Each check's errors keyed "checks[i].field"; the target is checked by the health monitor's own rules.</summary>
    private static List<StoredCheck> ValidateChecks(ValidationErrors errors, IReadOnlyList<CheckInput?>? inputs)
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
            };
            // The monitor's own rules for the target and expected status (URL, host:port, command words, ranges).
            foreach (var problem in VhidMapper.ToHealthCheck(stored).Validate())
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

    /// <summary>Strict dotted quad: IPAddress.TryParse alone accepts "1" or "0x1" as addresses.</summary>
    public static bool TryParseIPv4(string text, out IPAddress address)
    {
        address = IPAddress.None;
        var parts = text.Split('.');
        if (parts.Length != 4 || parts.Any(p => p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || int.Parse(p) > 255))
        {
            return false;
        }
        address = IPAddress.Parse(text);
        return address.AddressFamily == AddressFamily.InterNetwork;
    }

    private static bool IsUsableUnicast(IPAddress address)
    {
        var first = address.GetAddressBytes()[0];
        return !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.Broadcast) && first is not (0 or 127) && first < 224;
    }

    private static void CheckText(ValidationErrors errors, string field, string? value)
    {
        if (value is { Length: > MaxTextLength })
        {
            errors.Add(field, $"{field} must be at most {MaxTextLength} characters.");
        }
        else if (value is not null && value.Any(char.IsControl))
        {
            errors.Add(field, $"{field} must not contain control characters.");
        }
    }

    private static string? EmptyToNull(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
