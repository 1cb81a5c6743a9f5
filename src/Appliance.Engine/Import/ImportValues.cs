using System.Buffers.Binary;
using System.Globalization;

namespace Appliance.Engine.Import;

/// <summary>Value conversions both import formats share.</summary>
internal static class ImportValues
{
    /// <summary>Debian's vip-up/vip-down only run <c>ifup/ifdown IF:ucarp</c>; the appliance now does that job itself.</summary>
    public static readonly IReadOnlySet<string> DebianDefaultScripts = new HashSet<string>(StringComparer.Ordinal)
    {
        "/usr/share/ucarp/vip-up",
        "/usr/share/ucarp/vip-down",
    };

    /// <summary>
    /// Prefix length as text from "255.255.255.0", "/24" or "24"; null when it is neither. A number is passed on
    /// as written, so <see cref="Configuration.VhidRules"/> judges its range as everywhere else.
    /// </summary>
    public static string? ParsePrefix(string text)
    {
        var t = text.Trim();
        if (t.StartsWith('/'))
        {
            t = t[1..];
        }
        if (t.Length > 0 && t.All(char.IsAsciiDigit))
        {
            return t;
        }
        if (!Configuration.VhidRules.TryParseIPv4(t, out var mask))
        {
            return null;
        }
        var bits = BinaryPrimitives.ReadUInt32BigEndian(mask.GetAddressBytes());
        var prefix = System.Numerics.BitOperations.PopCount(bits);
        // A netmask is contiguous ones: 255.0.255.0 is not one.
        var expected = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return bits == expected ? prefix.ToString(CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Splits "10.0.0.1/24" into address and prefix text; prefix null when there is no slash.</summary>
    public static (string Address, string? Prefix) SplitCidr(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (text, null) : (text[..slash], text[(slash + 1)..]);
    }

    /// <summary>Shell-variable booleans: yes/true/on/1 and no/false/off/0 (any case); null for anything else.</summary>
    public static bool? ParseBool(string text) => text.Trim().ToLowerInvariant() switch
    {
        "yes" or "y" or "true" or "on" or "1" => true,
        "no" or "n" or "false" or "off" or "0" or "" => false,
        _ => null,
    };

    /// <summary>The Debian hook's rule (docs/carp-protocol.md, 10.3): true unless the value starts with no, off, false or 0.</summary>
    public static bool DebianTruth(string text) =>
        !(text.StartsWith("no", StringComparison.Ordinal) || text.StartsWith("off", StringComparison.Ordinal)
          || text.StartsWith("false", StringComparison.Ordinal) || text.StartsWith('0'));
}
