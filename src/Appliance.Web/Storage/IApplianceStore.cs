namespace Appliance.Web.Storage;

/// <summary>
/// Everything the appliance persists. Implementations are thread-safe; returned objects are copies
/// the caller may keep or change without affecting the store.
/// </summary>
public interface IApplianceStore
{
    IVhidRepository Vhids { get; }
    IHistoryRepository History { get; }
    IAuditRepository Audit { get; }
    IUserRepository Users { get; }
    ITokenRepository Tokens { get; }
    ISettingsRepository Settings { get; }
}

public interface IVhidRepository
{
    IReadOnlyList<StoredVhid> GetAll();
    StoredVhid? Get(int id);
    /// <summary>Inserts and returns the new id.</summary>
    int Insert(StoredVhid vhid);
    bool Update(StoredVhid vhid);
    bool Delete(int id);
}

public interface IHistoryRepository
{
    /// <summary>Appends and returns the new id (ids grow with time).</summary>
    long Append(StoredTransition transition);
    /// <summary>Newest first, optionally for one VHID number (any interface) or one key ("eth0/1").</summary>
    IReadOnlyList<StoredTransition> Query(int? vhid, string? key, int take);
    int Count();
    /// <summary>Deletes entries older than <paramref name="olderThan"/> and all but the newest <paramref name="keep"/>; returns how many.</summary>
    int Trim(DateTimeOffset olderThan, int keep);
}

public interface IAuditRepository
{
    long Append(StoredAuditEntry entry);
    IReadOnlyList<StoredAuditEntry> Query(int take);
    int Count();
    /// <summary>Deletes entries older than <paramref name="olderThan"/> and all but the newest <paramref name="keep"/>; returns how many.</summary>
    int Trim(DateTimeOffset olderThan, int keep);
}

public interface IUserRepository
{
    int Count();
    StoredUser? Find(string userName);
    IReadOnlyList<StoredUser> GetAll();
    int Insert(StoredUser user);
    bool Update(StoredUser user);
    bool Delete(string userName);
}

public interface ITokenRepository
{
    StoredToken? FindByHash(string hash);
    IReadOnlyList<StoredToken> GetAll();
    int Insert(StoredToken token);
    bool Delete(int id);
    /// <summary>Deletes the tokens that expired at or before <paramref name="expiredBy"/>; returns how many.</summary>
    int DeleteExpired(DateTimeOffset expiredBy);
}

public interface ISettingsRepository
{
    ApplianceSettings Get();
    void Save(ApplianceSettings settings);
}
