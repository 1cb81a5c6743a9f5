using Appliance.Engine.StateMachine;

namespace Appliance.Web.Storage;

/// <summary>
/// One VHID as saved by the admin. The CARP password is stored because the engine needs it as the
/// HMAC key (it cannot be hashed); it never leaves the service layer except towards the engine.
/// </summary>
public sealed class StoredVhid
{
    public int Id { get; set; }
    public string Interface { get; set; } = "";
    public int Vhid { get; set; }
    public int AdvBase { get; set; } = 1;
    public int AdvSkew { get; set; }
    public string Password { get; set; } = "";
    public string Vip { get; set; } = "";
    public int PrefixLength { get; set; } = 32;
    public string? SrcIp { get; set; }
    /// <summary>Unicast peers (docs/carp-protocol.md, 5.4 Unicast peers); empty (and for records saved before it existed): multicast.</summary>
    public List<string> Peers { get; set; } = [];
    public bool Preempt { get; set; }
    public bool Neutral { get; set; }
    public int DeadRatio { get; set; } = 3;
    public string? UpScript { get; set; }
    public string? DownScript { get; set; }
    public string? XParam { get; set; }
    /// <summary>"strict" or "relaxed" (docs/replay.md); records saved before it existed read as strict.</summary>
    public string ReplayCheck { get; set; } = "strict";
    /// <summary>Flap damping (docs/carp-protocol.md, 6.13); records saved before it existed read as on with the defaults.</summary>
    public StoredFlapDamping FlapDamping { get; set; } = new();
    public bool Enabled { get; set; } = true;
    /// <summary>Persistent maintenance (pfSense style): re-applied to the engine after every start and apply.</summary>
    public bool Maintenance { get; set; }
    /// <summary>Health checks; a failed one demotes the VHID (see HealthService). Older records have none.</summary>
    public List<StoredCheck> Checks { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public string Key => $"{Interface}/{Vhid}";

    public StoredVhid Clone()
    {
        var copy = (StoredVhid)MemberwiseClone();
        copy.Checks = Checks.Select(c => c.Clone()).ToList();
        copy.Peers = [.. Peers];
        copy.FlapDamping = FlapDamping.Clone();
        return copy;
    }
}

/// <summary>A VHID's flap damping as saved (docs/carp-protocol.md, 6.13): the engine's defaults unless the admin set others.</summary>
public sealed class StoredFlapDamping
{
    public bool Enabled { get; set; } = true;
    public int Penalty { get; set; } = FlapDampingConfig.DefaultPenalty;
    public int SuppressThreshold { get; set; } = FlapDampingConfig.DefaultSuppressThreshold;
    public int ReuseThreshold { get; set; } = FlapDampingConfig.DefaultReuseThreshold;
    public int HalfLifeSeconds { get; set; } = FlapDampingConfig.DefaultHalfLifeSeconds;
    public int MaxSuppressSeconds { get; set; } = FlapDampingConfig.DefaultMaxSuppressSeconds;

    public StoredFlapDamping Clone() => (StoredFlapDamping)MemberwiseClone();

    /// <summary>"on, penalty 1000, suppress 3000, reuse 750, half-life 60 s, max suppress 600 s" (the audit's words).</summary>
    public override string ToString() =>
        $"{(Enabled ? "on" : "off")}, penalty {Penalty}, suppress {SuppressThreshold}, reuse {ReuseThreshold}, half-life {HalfLifeSeconds} s, max suppress {MaxSuppressSeconds} s";
}
