using System.Net;
using System.Net.Sockets;
using System.Text;
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
            // carp-wire-spec: a zero interval would advertise in a busy loop.
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
        };
        return errors.ToDictionary();
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
