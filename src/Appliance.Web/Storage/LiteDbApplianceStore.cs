using LiteDB;

namespace Appliance.Web.Storage;

/// <summary>
/// The LiteDB store: one <see cref="LiteDatabase"/> for the whole process (LiteDB's direct mode is
/// thread-safe within one instance), a file in the data directory. BSON never leaves this folder.
/// </summary>
public sealed class LiteDbApplianceStore : IApplianceStore, IDisposable
{
    public const string FileName = "appliance.db";

    private readonly LiteDatabase _database;

    public LiteDbApplianceStore(string dataDirectory)
    {
        // The file holds the CARP passwords (the HMAC key cannot be hashed): owner-only access.
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dataDirectory);
        }
        else
        {
            Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        FilePath = Path.Combine(dataDirectory, FileName);
        _database = new LiteDatabase(new ConnectionString { Filename = FilePath, Connection = ConnectionType.Direct }, CreateMapper());

        var vhids = _database.GetCollection<StoredVhid>("vhids");
        vhids.EnsureIndex(x => x.Interface);
        var history = _database.GetCollection<StoredTransition>("history");
        history.EnsureIndex(x => x.Vhid);
        history.EnsureIndex(x => x.Key);
        var users = _database.GetCollection<StoredUser>("users");
        users.EnsureIndex(x => x.UserName, unique: true);
        var tokens = _database.GetCollection<StoredToken>("tokens");
        tokens.EnsureIndex(x => x.Hash, unique: true);

        Vhids = new VhidRepository(vhids);
        History = new HistoryRepository(history);
        Audit = new AuditRepository(_database.GetCollection<StoredAuditEntry>("audit"));
        Users = new UserRepository(users);
        Tokens = new TokenRepository(tokens);
        Settings = new SettingsRepository(_database.GetCollection<SettingsDocument>("settings"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(FilePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public string FilePath { get; }
    public IVhidRepository Vhids { get; }
    public IHistoryRepository History { get; }
    public IAuditRepository Audit { get; }
    public IUserRepository Users { get; }
    public ITokenRepository Tokens { get; }
    public ISettingsRepository Settings { get; }

    public void Dispose() => _database.Dispose();

    private static BsonMapper CreateMapper()
    {
        var mapper = new BsonMapper { EnumAsInteger = false };
        // Stored as a UTC BSON date (millisecond precision); read back as UTC.
        mapper.RegisterType(
            value => new BsonValue(value.UtcDateTime),
            bson => new DateTimeOffset(bson.AsDateTime.ToUniversalTime(), TimeSpan.Zero));
        mapper.Entity<StoredVhid>().Ignore(x => x.Key);
        return mapper;
    }

    private sealed class VhidRepository(ILiteCollection<StoredVhid> collection) : IVhidRepository
    {
        public IReadOnlyList<StoredVhid> GetAll() => collection.Query().OrderBy(x => x.Id).ToList();
        public StoredVhid? Get(int id) => collection.FindById(id);
        public int Insert(StoredVhid vhid) => collection.Insert(vhid).AsInt32;
        public bool Update(StoredVhid vhid) => collection.Update(vhid);
        public bool Delete(int id) => collection.Delete(id);
    }

    private sealed class HistoryRepository(ILiteCollection<StoredTransition> collection) : IHistoryRepository
    {
        public long Append(StoredTransition transition) => collection.Insert(transition).AsInt64;

        public IReadOnlyList<StoredTransition> Query(int? vhid, string? key, int take)
        {
            var query = collection.Query();
            if (vhid is { } number)
            {
                query = query.Where(x => x.Vhid == number);
            }
            if (key is not null)
            {
                query = query.Where(x => x.Key == key);
            }
            return query.OrderByDescending(x => x.Id).Limit(take).ToList();
        }

        public int Count() => collection.Count();

        public int Trim(DateTimeOffset olderThan, int keep)
        {
            var deleted = collection.DeleteMany(x => x.At < olderThan);
            var threshold = collection.Query().OrderByDescending(x => x.Id).Select(x => x.Id).Skip(keep).Limit(1).ToList();
            if (threshold.Count == 1)
            {
                var id = threshold[0];
                deleted += collection.DeleteMany(x => x.Id <= id);
            }
            return deleted;
        }
    }

    private sealed class AuditRepository(ILiteCollection<StoredAuditEntry> collection) : IAuditRepository
    {
        public long Append(StoredAuditEntry entry) => collection.Insert(entry).AsInt64;
        public IReadOnlyList<StoredAuditEntry> Query(int take) => collection.Query().OrderByDescending(x => x.Id).Limit(take).ToList();
    }

    private sealed class UserRepository(ILiteCollection<StoredUser> collection) : IUserRepository
    {
        public int Count() => collection.Count();
        public StoredUser? Find(string userName) => collection.FindOne(x => x.UserName == userName);
        public IReadOnlyList<StoredUser> GetAll() => collection.Query().OrderBy(x => x.Id).ToList();
        public int Insert(StoredUser user) => collection.Insert(user).AsInt32;
        public bool Update(StoredUser user) => collection.Update(user);
        public bool Delete(string userName) => collection.DeleteMany(x => x.UserName == userName) > 0;
    }

    private sealed class TokenRepository(ILiteCollection<StoredToken> collection) : ITokenRepository
    {
        public StoredToken? FindByHash(string hash) => collection.FindOne(x => x.Hash == hash);
        public IReadOnlyList<StoredToken> GetAll() => collection.Query().OrderBy(x => x.Id).ToList();
        public int Insert(StoredToken token) => collection.Insert(token).AsInt32;
        public bool Delete(int id) => collection.Delete(id);
        public int DeleteExpired(DateTimeOffset now) => collection.DeleteMany(x => x.ExpiresAt <= now);
    }

    private sealed class SettingsRepository(ILiteCollection<SettingsDocument> collection) : ISettingsRepository
    {
        private const int SingletonId = 1;

        public ApplianceSettings Get()
        {
            var document = collection.FindById(SingletonId);
            return document is null
                ? ApplianceSettings.Default
                : new ApplianceSettings
                {
                    HistoryMaxEntries = document.HistoryMaxEntries,
                    HistoryMaxAgeDays = document.HistoryMaxAgeDays,
                    TokenMaxLifetimeDays = document.TokenMaxLifetimeDays ?? ApplianceSettings.Default.TokenMaxLifetimeDays,
                };
        }

        public void Save(ApplianceSettings settings) => collection.Upsert(new SettingsDocument
        {
            Id = SingletonId,
            HistoryMaxEntries = settings.HistoryMaxEntries,
            HistoryMaxAgeDays = settings.HistoryMaxAgeDays,
            TokenMaxLifetimeDays = settings.TokenMaxLifetimeDays,
        });
    }

    private sealed class SettingsDocument
    {
        public int Id { get; set; }
        public int HistoryMaxEntries { get; set; }
        public int HistoryMaxAgeDays { get; set; }
        /// <summary>Null in a document written before the setting existed: the default.</summary>
        public int? TokenMaxLifetimeDays { get; set; }
    }
}
