using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;
using Appliance.Engine.StateMachine;

namespace Appliance.Engine.Configuration;

/// <summary>
/// The one rule set for a VHID's values, used by <c>appliance carp</c>'s command line, <c>import</c>, the REST API
/// and the dashboard alike. It reports every broken rule at once; the README's "VHID limits" table lists the
/// limits and the reason for each.
/// </summary>
public static partial class VhidRules
{
    public static readonly VhidLimit Vhid = new(VhidField.Vhid, 1, 255);
    /// <summary>ucarp's own range; advbase 255 with any allowed advskew still differs from the bow-out pair.</summary>
    public static readonly VhidLimit AdvBase = new(VhidField.AdvBase, 0, 255, 1);
    /// <summary>
    /// As BSD carp, not ucarp's 0-255: 255 is the bow-out value (advbase 255, advskew 255) that a node going
    /// away advertises (<c>-z</c>, maintenance, demotion), so it must be worse than every configurable priority.
    /// </summary>
    public static readonly VhidLimit AdvSkew = new(VhidField.AdvSkew, 0, 254, 0);
    /// <summary>ucarp only refuses 0; 255 keeps master-down below a day (255 x 255 s) and inside the timer's range.</summary>
    public static readonly VhidLimit DeadRatio = new(VhidField.DeadRatio, 1, 255, 3);
    /// <summary>A /0 VIP would claim every address on the link.</summary>
    public static readonly VhidLimit PrefixLength = new(VhidField.PrefixLength, 1, 32, 32);

    // Flap damping (docs/carp-protocol.md, 6.13). The bounds keep the arithmetic finite and the timers in range;
    // the defaults are RFC 2439's shape (penalty 1000, suppress 3000, reuse 750) on a CARP time scale.
    /// <summary>Added per transition.</summary>
    public static readonly VhidLimit FlapPenalty = new(VhidField.FlapPenalty, 1, 100_000, FlapDampingConfig.DefaultPenalty);
    /// <summary>Suppressed above it; at least 2 so that a reuse threshold of 1 or more fits below.</summary>
    public static readonly VhidLimit FlapSuppressThreshold = new(VhidField.FlapSuppressThreshold, 2, 1_000_000, FlapDampingConfig.DefaultSuppressThreshold);
    /// <summary>Released at it; must be below the suppress threshold.</summary>
    public static readonly VhidLimit FlapReuseThreshold = new(VhidField.FlapReuseThreshold, 1, 999_999, FlapDampingConfig.DefaultReuseThreshold);
    /// <summary>Seconds; an hour at most (a penalty that decays slower outlives any flapping episode).</summary>
    public static readonly VhidLimit FlapHalfLife = new(VhidField.FlapHalfLife, 1, 3600, FlapDampingConfig.DefaultHalfLifeSeconds);
    /// <summary>Seconds; a day at most.</summary>
    public static readonly VhidLimit FlapMaxSuppress = new(VhidField.FlapMaxSuppress, 1, 86_400, FlapDampingConfig.DefaultMaxSuppressSeconds);

    /// <summary>ucarp's limit: it copies the password with its NUL into a 20-byte key buffer.</summary>
    public const int MaxPasswordBytes = CarpDefaults.MaxPasswordBytes;
    /// <summary>IFNAMSIZ - 1.</summary>
    public const int MaxInterfaceName = 15;
    /// <summary>Scripts and the extra parameter: a bound on what is stored and passed to the scripts.</summary>
    public const int MaxTextLength = 1024;

    public static IReadOnlyList<VhidLimit> Limits { get; } =
        [Vhid, AdvBase, AdvSkew, DeadRatio, PrefixLength, FlapPenalty, FlapSuppressThreshold, FlapReuseThreshold, FlapHalfLife, FlapMaxSuppress];

    /// <summary>Checks every rule; on success <paramref name="config"/> is the VHID, else <paramref name="errors"/> lists every problem.</summary>
    public static bool TryBuild(VhidSettings settings, [NotNullWhen(true)] out VhidConfig? config, out IReadOnlyList<VhidRuleError> errors)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var found = new List<VhidRuleError>();
        config = null;
        errors = found;

        var iface = Required(found, VhidField.Interface, settings.Interface?.Trim());
        if (iface is not null && (iface.Length > MaxInterfaceName || iface.Any(c => char.IsWhiteSpace(c) || c == '/')))
        {
            found.Add(new(VhidField.Interface, $"must be a name of at most {MaxInterfaceName} characters without spaces or '/' (got '{iface}')"));
        }
        var vhid = Required(found, VhidField.Vhid, settings.Vhid) is { } vhidText ? Number(found, Vhid, vhidText) : null;
        var password = Required(found, VhidField.Password, string.IsNullOrEmpty(settings.Password) ? null : settings.Password);
        if (password is not null)
        {
            CheckPassword(found, password);
        }
        var vipText = Required(found, VhidField.VirtualAddress, settings.VirtualAddress?.Trim());
        var vip = vipText is null ? null : Unicast(found, VhidField.VirtualAddress, vipText);
        var prefix = Number(found, PrefixLength, settings.PrefixLength);
        var src = string.IsNullOrWhiteSpace(settings.SourceAddress) ? null : Unicast(found, VhidField.SourceAddress, settings.SourceAddress.Trim());
        var group = CarpDefaults.MulticastGroup;
        if (!string.IsNullOrWhiteSpace(settings.MulticastGroup))
        {
            var text = settings.MulticastGroup.Trim();
            if (!TryParseIPv4(text, out var parsed) || (parsed.GetAddressBytes()[0] & 0xF0) != 0xE0)
            {
                found.Add(new(VhidField.MulticastGroup, $"must be an IPv4 multicast address (got '{text}')"));
            }
            else
            {
                group = parsed;
            }
        }
        var peers = PeersOf(found, settings, vip, src);
        var advbase = Number(found, AdvBase, settings.AdvBase);
        var advskew = Number(found, AdvSkew, settings.AdvSkew);
        if (advbase == 0 && advskew == 0)
        {
            found.Add(new(VhidField.AdvBase, "must not both be 0 (the advert interval would be zero)", VhidField.AdvSkew));
        }
        var deadratio = Number(found, DeadRatio, settings.DeadRatio);
        var up = Text(found, VhidField.UpScript, settings.UpScript);
        var down = Text(found, VhidField.DownScript, settings.DownScript);
        var xparam = Text(found, VhidField.ExtraParameter, settings.ExtraParameter);
        var replayCheck = ReplayCheckOf(found, settings.ReplayCheck);
        var flapDamping = FlapDampingOf(found, settings);

        if (found.Count > 0)
        {
            return false;
        }
        config = new VhidConfig
        {
            Interface = iface!,
            SourceAddress = src,
            Vhid = (byte)vhid!.Value,
            Password = password!,
            VirtualAddress = vip!,
            VirtualAddressText = vipText,
            PrefixLength = prefix!.Value,
            AdvBase = (byte)advbase!.Value,
            AdvSkew = (byte)advskew!.Value,
            DeadRatio = (uint)deadratio!.Value,
            Preempt = settings.Preempt,
            Neutral = settings.Neutral,
            NoMulticast = settings.NoMulticast,
            MulticastGroup = group,
            Peers = peers,
            IgnoreInterfaceState = settings.IgnoreInterfaceState,
            UpScript = up,
            DownScript = down,
            ExtraParameter = xparam,
            ManageVip = settings.ManageVip,
            ReplayCheck = replayCheck,
            FlapDamping = flapDamping!,
        };
        return true;
    }

    /// <summary>The replay check's values as every entry point spells them (docs/replay.md).</summary>
    public static IReadOnlyList<string> ReplayCheckNames { get; } = ["strict", "relaxed"];

    /// <summary>The wire/flag name of a replay check: "strict" or "relaxed".</summary>
    public static string ReplayCheckName(ReplayCheck check) => check == ReplayCheck.Relaxed ? "relaxed" : "strict";

    private static ReplayCheck ReplayCheckOf(List<VhidRuleError> found, string? text)
    {
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value) || string.Equals(value, "strict", StringComparison.OrdinalIgnoreCase))
        {
            return ReplayCheck.Strict;
        }
        if (string.Equals(value, "relaxed", StringComparison.OrdinalIgnoreCase))
        {
            return ReplayCheck.Relaxed;
        }
        found.Add(new(VhidField.ReplayCheck, $"must be strict or relaxed (got '{value}')"));
        return ReplayCheck.Strict;
    }

    /// <summary>The on/off values of flap damping as every entry point spells them.</summary>
    public static IReadOnlyList<string> OnOffNames { get; } = ["on", "off"];

    /// <summary>"on" or "off".</summary>
    public static string OnOffName(bool on) => on ? "on" : "off";

    /// <summary>
    /// Flap damping's settings (docs/carp-protocol.md, 6.13): on/off, the ranges of <see cref="FlapPenalty"/> and the
    /// others, reuse below suppress, and a maximum suppress time long enough that the penalty's ceiling (RFC 2439:
    /// reuse x 2^(max suppress / half-life)) lies above the suppress threshold: below it, no VHID could ever be suppressed.
    /// The values are checked when damping is off too, so that switching it on cannot meet a stored bad value.
    /// </summary>
    private static FlapDampingConfig? FlapDampingOf(List<VhidRuleError> found, VhidSettings settings)
    {
        var enabled = true;
        var onOff = settings.FlapDamping?.Trim();
        if (!string.IsNullOrEmpty(onOff))
        {
            if (onOff.Equals("on", StringComparison.OrdinalIgnoreCase) || onOff.Equals("true", StringComparison.OrdinalIgnoreCase))
            {
                enabled = true;
            }
            else if (onOff.Equals("off", StringComparison.OrdinalIgnoreCase) || onOff.Equals("false", StringComparison.OrdinalIgnoreCase))
            {
                enabled = false;
            }
            else
            {
                found.Add(new(VhidField.FlapDamping, $"must be on or off (got '{onOff}')"));
            }
        }
        var penalty = Number(found, FlapPenalty, settings.FlapPenalty);
        var suppress = Number(found, FlapSuppressThreshold, settings.FlapSuppressThreshold);
        var reuse = Number(found, FlapReuseThreshold, settings.FlapReuseThreshold);
        var halfLife = Number(found, FlapHalfLife, settings.FlapHalfLife);
        var maxSuppress = Number(found, FlapMaxSuppress, settings.FlapMaxSuppress);
        if (suppress is { } s && reuse is { } r)
        {
            if (r >= s)
            {
                found.Add(new(VhidField.FlapReuseThreshold, $"must be below the suppress threshold {s} ({Given(settings.FlapReuseThreshold, r)})"));
            }
            else if (halfLife is { } h && maxSuppress is { } m && m <= MinMaxSuppress(s, r, h))
            {
                found.Add(new(VhidField.FlapMaxSuppress,
                    $"must be more than {MinMaxSuppress(s, r, h).ToString("0.#", CultureInfo.InvariantCulture)} s (half-life x log2(suppress / reuse)), "
                    + $"or the penalty could never exceed the suppress threshold ({Given(settings.FlapMaxSuppress, m)})"));
            }
        }
        if (penalty is null || suppress is null || reuse is null || halfLife is null || maxSuppress is null)
        {
            return null;
        }
        return new FlapDampingConfig
        {
            Enabled = enabled,
            Penalty = penalty.Value,
            SuppressThreshold = suppress.Value,
            ReuseThreshold = reuse.Value,
            HalfLife = TimeSpan.FromSeconds(halfLife.Value),
            MaxSuppress = TimeSpan.FromSeconds(maxSuppress.Value),
        };
    }

    /// <summary>"got '750'" for a value given, "got the default 750" for one left out (an error quotes only what was typed).</summary>
    private static string Given(string? text, int value) =>
        text is null ? $"got the default {value.ToString(CultureInfo.InvariantCulture)}" : $"got '{text}'";

    /// <summary>The time a penalty at the suppress threshold takes to decay to the reuse threshold, in seconds.</summary>
    private static double MinMaxSuppress(int suppress, int reuse, int halfLifeSeconds) => halfLifeSeconds * Math.Log2((double)suppress / reuse);

    /// <summary>
    /// A strict dotted quad as ucarp's inet_pton reads it: four decimal parts without leading zeros.
    /// <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> alone also takes "10", "1.2.3" or "0x1.0.0.1".
    /// </summary>
    public static bool TryParseIPv4(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        ArgumentNullException.ThrowIfNull(text);
        address = null;
        var parts = text.Split('.');
        if (parts.Length != 4 || parts.Any(p => p.Length is 0 or > 3 || (p.Length > 1 && p[0] == '0') || !p.All(char.IsAsciiDigit) || int.Parse(p, CultureInfo.InvariantCulture) > 255))
        {
            return false;
        }
        address = IPAddress.Parse(text);
        return true;
    }

    private static string? Required(List<VhidRuleError> found, VhidField field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            found.Add(new(field, "is required"));
            return null;
        }
        return value;
    }

    /// <summary>The value, its default when not given, or null after adding the range error.</summary>
    private static int? Number(List<VhidRuleError> found, VhidLimit limit, string? text)
    {
        if (text is null)
        {
            return limit.Default;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= limit.Min && value <= limit.Max)
        {
            return value;
        }
        found.Add(new(limit.Field, limit.Problem(text)));
        return null;
    }

    private static void CheckPassword(List<VhidRuleError> found, string password)
    {
        if (password.Contains('\0'))
        {
            // ucarp takes the password as a C string: a NUL would silently cut it short.
            found.Add(new(VhidField.Password, "must not contain a NUL character"));
            return;
        }
        var bytes = Encoding.UTF8.GetByteCount(password);
        if (bytes > MaxPasswordBytes)
        {
            found.Add(new(VhidField.Password, $"is too long: at most {MaxPasswordBytes} bytes (got {bytes} bytes)"));
        }
    }

    private static IPAddress? Unicast(List<VhidRuleError> found, VhidField field, string text)
    {
        if (TryParseIPv4(text, out var address))
        {
            var first = address.GetAddressBytes()[0];
            if (!address.Equals(IPAddress.Any) && !address.Equals(IPAddress.Broadcast) && first is not (0 or 127) && first < 224)
            {
                return address;
            }
        }
        found.Add(new(field, $"must be a unicast IPv4 address (got '{text}')"));
        return null;
    }

    private static string? Text(List<VhidRuleError> found, VhidField field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        if (value.Length > MaxTextLength)
        {
            found.Add(new(field, $"must be at most {MaxTextLength} characters (got {value.Length})"));
        }
        else if (value.Any(char.IsControl))
        {
            found.Add(new(field, "must not contain control characters"));
        }
        return value;
    }
}
