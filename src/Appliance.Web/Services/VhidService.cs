using Appliance.Engine.Hosting;
using Appliance.Engine.Import;
using Appliance.Web.Storage;

namespace Appliance.Web.Services;

/// <summary>
/// VHID configuration for the REST API and the dashboard: one validation, one audit, and every saved
/// change applied live to the engine. <c>actor</c> is the authenticated user's name (for the audit log).
/// </summary>
public sealed class VhidService(
    IApplianceStore store,
    VhidValidator validator,
    EngineConfigurator configurator,
    ICarpEngine engine,
    AuditService audit,
    TimeProvider timeProvider)
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public IReadOnlyList<VhidDto> List() => store.Vhids.GetAll().Select(VhidMapper.ToDto).ToList();

    public VhidDto? Get(int id) => store.Vhids.Get(id) is { } v ? VhidMapper.ToDto(v) : null;

    /// <summary>Validation only (for live form feedback); nothing is written.</summary>
    public IReadOnlyDictionary<string, string[]> Validate(VhidInput input, int? existingId) =>
        validator.Validate(input, existingId, store.Vhids.GetAll(), out _);

    public async Task<ServiceResult<VhidDto>> CreateAsync(VhidInput input, string actor, CancellationToken cancellationToken)
    {
        StoredVhid created;
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var errors = validator.Validate(input, null, store.Vhids.GetAll(), out var normalized);
            if (normalized is null)
            {
                return ServiceResult<VhidDto>.Invalid(errors);
            }
            var now = timeProvider.GetUtcNow();
            normalized.CreatedAt = now;
            normalized.UpdatedAt = now;
            normalized.Id = store.Vhids.Insert(normalized);
            audit.Record(actor, "vhid.create", normalized.Key, AuditService.Diff(null, normalized));
            created = normalized;
        }
        finally
        {
            _writeGate.Release();
        }
        await configurator.ApplyAsync(cancellationToken).ConfigureAwait(false);
        return ServiceResult<VhidDto>.Ok(VhidMapper.ToDto(created));
    }

    /// <summary>
    /// First start: creates the VHID from the environment (validated before the host starts) without applying it;
    /// the engine host applies the store when it starts, so the start-up transitions are recorded.
    /// </summary>
    public async Task<VhidDto> SeedAsync(VhidInput input, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var errors = validator.Validate(input, null, store.Vhids.GetAll(), out var normalized);
            if (normalized is null)
            {
                throw new InvalidOperationException("initial VHID invalid: " + string.Join("; ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))));
            }
            var now = timeProvider.GetUtcNow();
            normalized.CreatedAt = now;
            normalized.UpdatedAt = now;
            normalized.Id = store.Vhids.Insert(normalized);
            audit.Record("environment", "vhid.create", normalized.Key, AuditService.Diff(null, normalized));
            return VhidMapper.ToDto(normalized);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Imports an existing ucarp configuration (UcarpConfigImporter's result): every VHID through the same
    /// validation, audited as "import"; a VHID already configured on its interface is skipped with a message.
    /// <paramref name="applyLive"/> false only writes the store (the CLI, while no engine runs).
    /// </summary>
    public async Task<ImportOutcome> ImportAsync(ImportResult result, string actor, bool applyLive, CancellationToken cancellationToken)
    {
        var messages = result.Messages.Select(m => new ImportLine(m.Line, m.Severity, m.Text, m.Format(result.SourceName))).ToList();
        var created = new List<VhidDto>();
        var skipped = 0;
        var invalid = 0;
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var config in result.Vhids)
            {
                var all = store.Vhids.GetAll();
                var input = VhidMapper.ToInput(config);
                if (all.Any(v => v.Vhid == config.Vhid && string.Equals(v.Interface, config.Interface, StringComparison.Ordinal)))
                {
                    skipped++;
                    messages.Add(Line(result.SourceName, ImportSeverity.Warning, $"{config.Key}: vhid {config.Vhid} is already configured on {config.Interface}; skipped"));
                    continue;
                }
                var errors = validator.Validate(input, null, all, out var normalized);
                if (normalized is null)
                {
                    invalid++;
                    foreach (var (field, fieldErrors) in errors)
                    {
                        foreach (var error in fieldErrors)
                        {
                            messages.Add(Line(result.SourceName, ImportSeverity.Error, $"{config.Key}: {field}: {error}"));
                        }
                    }
                    continue;
                }
                var now = timeProvider.GetUtcNow();
                normalized.CreatedAt = now;
                normalized.UpdatedAt = now;
                normalized.Id = store.Vhids.Insert(normalized);
                audit.Record(actor, "import", normalized.Key, [$"source: {result.SourceName}", .. AuditService.Diff(null, normalized)]);
                created.Add(VhidMapper.ToDto(normalized));
                messages.Add(Line(result.SourceName, ImportSeverity.Info, $"{normalized.Key}: imported as id {normalized.Id}"));
            }
        }
        finally
        {
            _writeGate.Release();
        }
        if (applyLive && created.Count > 0)
        {
            await configurator.ApplyAsync(cancellationToken).ConfigureAwait(false);
        }
        var errorCount = messages.Count(m => m.IsError);
        var summary = $"{result.SourceName}: {created.Count} VHID(s) imported, {skipped} skipped as already configured, "
            + $"{errorCount} error(s), {messages.Count(m => m.IsWarning)} warning(s)";
        return new ImportOutcome(created, messages, skipped, invalid, errorCount > 0, summary);
    }

    private static ImportLine Line(string source, ImportSeverity severity, string text) =>
        new(0, severity, text, new ImportMessage(0, text, severity).Format(source));

    public async Task<ServiceResult<VhidDto>> UpdateAsync(int id, VhidInput input, string actor, CancellationToken cancellationToken)
    {
        StoredVhid updated;
        bool changed;
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var all = store.Vhids.GetAll();
            var before = all.FirstOrDefault(v => v.Id == id);
            if (before is null)
            {
                return ServiceResult<VhidDto>.NotFound();
            }
            var errors = validator.Validate(input, id, all, out var normalized);
            if (normalized is null)
            {
                return ServiceResult<VhidDto>.Invalid(errors);
            }
            var changes = AuditService.Diff(before, normalized);
            changed = changes.Count > 0;
            normalized.UpdatedAt = changed ? timeProvider.GetUtcNow() : before.UpdatedAt;
            if (changed)
            {
                store.Vhids.Update(normalized);
                audit.Record(actor, "vhid.update", before.Key == normalized.Key ? normalized.Key : $"{before.Key} -> {normalized.Key}", changes);
            }
            updated = normalized;
        }
        finally
        {
            _writeGate.Release();
        }
        if (changed)
        {
            await configurator.ApplyAsync(cancellationToken).ConfigureAwait(false);
        }
        return ServiceResult<VhidDto>.Ok(VhidMapper.ToDto(updated));
    }

    public async Task<bool> DeleteAsync(int id, string actor, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var before = store.Vhids.Get(id);
            if (before is null || !store.Vhids.Delete(id))
            {
                return false;
            }
            audit.Record(actor, "vhid.delete", before.Key, []);
        }
        finally
        {
            _writeGate.Release();
        }
        await configurator.ApplyAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Persistent maintenance (pfSense style): the engine hands the VIP to a peer and stays BACKUP until
    /// released; with no peer it stays MASTER and says so. Persisted, and re-applied after every start.
    /// </summary>
    public async Task<ServiceResult<VhidDto>> SetMaintenanceAsync(int id, bool enabled, string actor, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var vhid = store.Vhids.Get(id);
            if (vhid is null)
            {
                return ServiceResult<VhidDto>.NotFound();
            }
            if (vhid.Maintenance != enabled)
            {
                vhid.Maintenance = enabled;
                vhid.UpdatedAt = timeProvider.GetUtcNow();
                store.Vhids.Update(vhid);
                audit.Record(actor, enabled ? "vhid.maintenance.enter" : "vhid.maintenance.leave", vhid.Key, [$"maintenance: {!enabled} -> {enabled}".ToLowerInvariant()]);
            }
            if (vhid.Enabled)
            {
                engine.SetMaintenance(vhid.Key, enabled);
            }
            return ServiceResult<VhidDto>.Ok(VhidMapper.ToDto(vhid));
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
