using System.Net;
using Appliance.Engine.Configuration;
using Appliance.Engine.Health;
using Appliance.Engine.Protocol;
using Appliance.Engine.StateMachine;
using Appliance.Web.Storage;

namespace Appliance.Web.Services;

/// <summary>Stored VHID to the API's view and to the engine's immutable config.</summary>
public static class VhidMapper
{
    public static VhidDto ToDto(StoredVhid v) => new(
        v.Id,
        v.Key,
        v.Interface,
        v.Vhid,
        v.AdvBase,
        v.AdvSkew,
        HasPassword: v.Password.Length > 0,
        v.Vip,
        v.PrefixLength,
        v.SrcIp,
        [.. v.Peers],
        v.Preempt,
        v.Neutral,
        v.DeadRatio,
        v.UpScript,
        v.DownScript,
        v.XParam,
        v.ReplayCheck,
        new FlapDampingDto(v.FlapDamping.Enabled, v.FlapDamping.Penalty, v.FlapDamping.SuppressThreshold, v.FlapDamping.ReuseThreshold,
            v.FlapDamping.HalfLifeSeconds, v.FlapDamping.MaxSuppressSeconds),
        v.Enabled,
        v.Maintenance,
        AdvertIntervalMs(v.AdvBase, v.AdvSkew),
        MasterDownMs(v.AdvBase, v.AdvSkew, v.DeadRatio),
        v.CreatedAt,
        v.UpdatedAt,
        v.Checks.Select(c => new CheckDto(c.Name, c.Kind, c.Target, c.ExpectedStatus, c.IntervalMs, c.TimeoutMs, c.Rise, c.Fall, c.Arguments.ToList())).ToList());

    /// <summary>
    /// The health monitor's config of a saved check (validated on save, so the kind is known); a command check's
    /// target is a script name, run from the scripts directory with its arguments as argv.
    /// </summary>
    public static HealthCheckConfig ToHealthCheck(StoredCheck c, ScriptCatalog scripts) => new(
        c.Name,
        ParseKind(c.Kind) ?? throw new FormatException($"check {c.Name}: unknown kind '{c.Kind}'"),
        c.Kind == CheckKinds.Command ? scripts.CommandPath(c.Target) : c.Target,
        TimeSpan.FromMilliseconds(c.IntervalMs),
        TimeSpan.FromMilliseconds(c.TimeoutMs),
        c.Kind == CheckKinds.Tcp ? null : c.ExpectedStatus,
        c.Rise,
        c.Fall,
        c.Kind == CheckKinds.Command ? [.. c.Arguments] : null);

    /// <summary>"http", "tcp", "command" (any case) to the monitor's kind; null for anything else.</summary>
    public static HealthCheckKind? ParseKind(string? kind) => kind?.Trim().ToLowerInvariant() switch
    {
        CheckKinds.Http => HealthCheckKind.Http,
        CheckKinds.Tcp => HealthCheckKind.Tcp,
        CheckKinds.Command => HealthCheckKind.Command,
        _ => null,
    };

    public static double AdvertIntervalMs(int advbase, int advskew) =>
        CarpTiming.AdvertInterval((byte)advbase, (byte)advskew).TotalMilliseconds;

    public static double MasterDownMs(int advbase, int advskew, int deadratio) =>
        CarpTiming.MasterDown((byte)advbase, (byte)advskew, (uint)Math.Max(deadratio, 1)).TotalMilliseconds;

    /// <summary>
    /// The engine's config; in the appliance the engine manages the VIP itself (netlink + gratuitous ARP). Up/down
    /// scripts are names in the scripts directory; one that is not usable is logged and left out.
    /// </summary>
    public static VhidConfig ToConfig(StoredVhid v, ScriptCatalog scripts) => new()
    {
        Interface = v.Interface,
        Vhid = (byte)v.Vhid,
        AdvBase = (byte)v.AdvBase,
        AdvSkew = (byte)v.AdvSkew,
        Password = v.Password,
        VirtualAddress = IPAddress.Parse(v.Vip),
        VirtualAddressText = v.Vip,
        PrefixLength = v.PrefixLength,
        SourceAddress = string.IsNullOrEmpty(v.SrcIp) ? null : IPAddress.Parse(v.SrcIp),
        Peers = v.Peers.Count == 0 ? CarpPeers.None : new CarpPeers(v.Peers.Select(IPAddress.Parse)),
        Preempt = v.Preempt,
        Neutral = v.Neutral,
        DeadRatio = (uint)v.DeadRatio,
        UpScript = scripts.ResolveForEngine(v.Key, "upscript", v.UpScript),
        DownScript = scripts.ResolveForEngine(v.Key, "downscript", v.DownScript),
        ExtraParameter = NullIfEmpty(v.XParam),
        ReplayCheck = v.ReplayCheck == VhidRules.ReplayCheckName(ReplayCheck.Relaxed) ? ReplayCheck.Relaxed : ReplayCheck.Strict,
        FlapDamping = ToConfig(v.FlapDamping),
        CheckScriptsBeforeRun = true,
        ManageVip = true,
    };

    /// <summary>An imported engine config as API input, so it goes through the one validation.</summary>
    public static VhidInput ToInput(VhidConfig c) => new()
    {
        Interface = c.Interface,
        Vhid = c.Vhid,
        AdvBase = c.AdvBase,
        AdvSkew = c.AdvSkew,
        Password = c.Password,
        Vip = c.VirtualAddressText ?? c.VirtualAddress.ToString(),
        PrefixLength = c.PrefixLength,
        SrcIp = c.SourceAddress?.ToString(),
        Peers = c.Peers.IsUnicast ? [.. c.Peers.Select(p => (string?)p.ToString())] : null,
        Preempt = c.Preempt,
        Neutral = c.Neutral,
        DeadRatio = c.DeadRatio,
        UpScript = c.UpScript,
        DownScript = c.DownScript,
        XParam = c.ExtraParameter,
        ReplayCheck = VhidRules.ReplayCheckName(c.ReplayCheck),
        FlapDamping = new FlapDampingInput
        {
            Enabled = c.FlapDamping.Enabled,
            Penalty = c.FlapDamping.Penalty,
            SuppressThreshold = c.FlapDamping.SuppressThreshold,
            ReuseThreshold = c.FlapDamping.ReuseThreshold,
            HalfLifeSeconds = (long)c.FlapDamping.HalfLife.TotalSeconds,
            MaxSuppressSeconds = (long)c.FlapDamping.MaxSuppress.TotalSeconds,
        },
        Enabled = true,
    };

    /// <summary>The engine's flap damping of a saved VHID (validated on save).</summary>
    public static FlapDampingConfig ToConfig(StoredFlapDamping f) => new()
    {
        Enabled = f.Enabled,
        Penalty = f.Penalty,
        SuppressThreshold = f.SuppressThreshold,
        ReuseThreshold = f.ReuseThreshold,
        HalfLife = TimeSpan.FromSeconds(f.HalfLifeSeconds),
        MaxSuppress = TimeSpan.FromSeconds(f.MaxSuppressSeconds),
    };

    /// <summary>The engine's flap damping as it is saved.</summary>
    public static StoredFlapDamping ToStored(FlapDampingConfig c) => new()
    {
        Enabled = c.Enabled,
        Penalty = c.Penalty,
        SuppressThreshold = c.SuppressThreshold,
        ReuseThreshold = c.ReuseThreshold,
        HalfLifeSeconds = (int)c.HalfLife.TotalSeconds,
        MaxSuppressSeconds = (int)c.MaxSuppress.TotalSeconds,
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
