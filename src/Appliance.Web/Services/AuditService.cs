using Appliance.Web.Storage;

namespace Appliance.Web.Services;

public sealed record AuditEntryDto(long Id, DateTimeOffset At, string User, string Action, string Target, IReadOnlyList<string> Changes);

/// <summary>The audit log of configuration changes. Callers must never pass a password in <c>changes</c>.</summary>
public sealed class AuditService(IApplianceStore store, TimeProvider timeProvider)
{
    public void Record(string user, string action, string target, IReadOnlyList<string> changes) =>
        store.Audit.Append(new StoredAuditEntry
        {
            At = timeProvider.GetUtcNow(),
            User = user,
            Action = action,
            Target = target,
            Changes = [.. changes],
        });

    /// <summary>Applies the audit retention from the settings (age, then count, as the history's); returns how many entries were removed.</summary>
    public int Trim()
    {
        var settings = store.Settings.Get();
        var cutoff = timeProvider.GetUtcNow() - TimeSpan.FromDays(settings.AuditMaxAgeDays);
        return store.Audit.Trim(cutoff, settings.AuditMaxEntries);
    }

    public IReadOnlyList<AuditEntryDto> Query(int take) =>
        store.Audit.Query(take).Select(e => new AuditEntryDto(e.Id, e.At, e.User, e.Action, e.Target, e.Changes)).ToList();

    /// <summary>"field: old -> new" for every changed field; the CARP password only as "password: changed".</summary>
    public static IReadOnlyList<string> Diff(StoredVhid? before, StoredVhid after)
    {
        var changes = new List<string>();
        void Field(string name, object? oldValue, object? newValue)
        {
            if (before is null)
            {
                changes.Add($"{name}: {Show(newValue)}");
            }
            else if (!Equals(oldValue, newValue))
            {
                changes.Add($"{name}: {Show(oldValue)} -> {Show(newValue)}");
            }
        }

        Field("interface", before?.Interface, after.Interface);
        Field("vhid", before?.Vhid, after.Vhid);
        Field("advbase", before?.AdvBase, after.AdvBase);
        Field("advskew", before?.AdvSkew, after.AdvSkew);
        if (before is null)
        {
            changes.Add("password: set");
        }
        else if (!string.Equals(before.Password, after.Password, StringComparison.Ordinal))
        {
            changes.Add("password: changed");
        }
        Field("vip", before?.Vip, after.Vip);
        Field("prefixLength", before?.PrefixLength, after.PrefixLength);
        Field("srcip", before?.SrcIp, after.SrcIp);
        Field("peers", ShowPeers(before?.Peers), ShowPeers(after.Peers));
        Field("preempt", before?.Preempt, after.Preempt);
        Field("neutral", before?.Neutral, after.Neutral);
        Field("deadratio", before?.DeadRatio, after.DeadRatio);
        Field("upscript", before?.UpScript, after.UpScript);
        Field("downscript", before?.DownScript, after.DownScript);
        Field("xparam", before?.XParam, after.XParam);
        Field("replayCheck", before?.ReplayCheck, after.ReplayCheck);
        Field("flapDamping", before?.FlapDamping.ToString(), after.FlapDamping.ToString());
        Field("enabled", before?.Enabled, after.Enabled);
        if (before is null ? after.Checks.Count > 0 : ShowChecks(before.Checks) != ShowChecks(after.Checks))
        {
            Field("checks", before is null ? null : ShowChecks(before.Checks), ShowChecks(after.Checks));
        }
        return changes;
    }

    /// <summary>"web http http://127.0.0.1/ =200 every 2000/1000 ms rise 2 fall 3, ..." or "(none)".</summary>
    private static string ShowChecks(IReadOnlyList<StoredCheck> checks) => checks.Count == 0
        ? "(none)"
        : string.Join(", ", checks.Select(c =>
            $"{c.Name} {c.Kind} {c.Target}{(c.ExpectedStatus is { } e ? $" ={e}" : "")} every {c.IntervalMs}/{c.TimeoutMs} ms rise {c.Rise} fall {c.Fall}"));

    /// <summary>"198.18.0.2, 198.18.0.3"; null (shown "(none)") for a multicast VHID.</summary>
    private static string? ShowPeers(IReadOnlyList<string>? peers) => peers is { Count: > 0 } ? string.Join(", ", peers) : null;

    private static string Show(object? value) => value switch
    {
        null => "(none)",
        bool b => b ? "true" : "false",
        _ => value.ToString() ?? "",
    };
}
