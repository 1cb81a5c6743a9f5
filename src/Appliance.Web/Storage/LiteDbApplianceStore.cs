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
    private readonly StoreDurability _durability;

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
        // A file LiteDB cannot read is refused before LiteDB sees it (it would rewrite or extend it): left as it is.
        if (HeaderProblem(FilePath) is { } problem)
        {
            throw new StoreOpenException(FilePath, problem);
        }
        // LiteDB writes while it opens (index creation, the header on dispose) even when it then fails: a failed open
        // puts the files back as they were, bytes and times.
        var before = OpenSnapshot.Take(FilePath);
        LiteDatabase? database = null;
        StoreDurability durable;
        try
        {
            database = new LiteDatabase(new ConnectionString { Filename = FilePath, Connection = ConnectionType.Direct }, CreateMapper());
            // Checkpoints only after the log is on disk (StoreDurability); each write below returns once it is durable.
            StoreDurability.DisableAutomaticCheckpoint(database);
            durable = new StoreDurability(database, StoreDurability.LogPathOf(FilePath));
            var vhids = database.GetCollection<StoredVhid>("vhids");
            vhids.EnsureIndex(x => x.Interface);
            var history = database.GetCollection<StoredTransition>("history");
            history.EnsureIndex(x => x.Vhid);
            history.EnsureIndex(x => x.Key);
            var users = database.GetCollection<StoredUser>("users");
            users.EnsureIndex(x => x.UserName, unique: true);
            var tokens = database.GetCollection<StoredToken>("tokens");
            tokens.EnsureIndex(x => x.Hash, unique: true);

            Vhids = new VhidRepository(vhids, durable);
            History = new HistoryRepository(history, durable);
            Audit = new AuditRepository(database.GetCollection<StoredAuditEntry>("audit"), durable);
            Users = new UserRepository(users, durable);
            Tokens = new TokenRepository(tokens, durable);
            Settings = new SettingsRepository(database.GetCollection<SettingsDocument>("settings"), durable);
        }
        catch (Exception ex) when (ex is LiteException or InvalidCastException or FormatException or InvalidDataException or ArgumentException)
        {
            database?.Dispose();
            before.Restore();
            throw new StoreOpenException(FilePath, ex.Message);
        }
        _database = database;
        _durability = durable;
        // What the open wrote (indexes, the pragma) is on disk before the first request.
        durable.Flush();
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(FilePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>
    /// What is wrong with the header page of an existing store, or null when LiteDB 5 can open it (or there is no file
    /// yet, or it is empty: LiteDB initializes it). Page 0: page type 1 (header) at byte 4, "** This is a LiteDB file **"
    /// at byte 32, file format 8 at byte 59.
    /// </summary>
    internal static string? HeaderProblem(string path)
    {
        byte[] header = new byte[HeaderLength];
        int read;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (file.Length == 0)
            {
                return null;
            }
            read = file.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        if (read < HeaderLength)
        {
            return $"not a LiteDB 5 file ({read} bytes, shorter than a header page)";
        }
        if (header[0] == 1 && !HasSignature(header))
        {
            return "an encrypted LiteDB file (the appliance opens its store without a password)";
        }
        if (!HasSignature(header) || header[4] != HeaderPageType)
        {
            return "not a LiteDB 5 file (corrupt header page)";
        }
        if (header[FileVersionOffset] != FileVersion)
        {
            return $"not a LiteDB 5 file (file format {header[FileVersionOffset]}, expected {FileVersion})";
        }
        return null;

        static bool HasSignature(byte[] header) =>
            header.AsSpan(SignatureOffset, Signature.Length).SequenceEqual(Signature);
    }

    /// <summary>The store and its LiteDB log file (DIR/appliance-log.db) as they were before the open: content and times.</summary>
    private sealed class OpenSnapshot
    {
        private readonly List<(string Path, byte[]? Bytes, DateTime Modified)> _files = [];

        public static OpenSnapshot Take(string filePath)
        {
            var snapshot = new OpenSnapshot();
            foreach (var path in new[] { filePath, StoreDurability.LogPathOf(filePath) })
            {
                snapshot._files.Add(File.Exists(path) ? (path, File.ReadAllBytes(path), File.GetLastWriteTimeUtc(path)) : (path, null, default));
            }
            return snapshot;
        }

        public void Restore()
        {
            foreach (var (path, bytes, modified) in _files)
            {
                if (bytes is null)
                {
                    File.Delete(path);
                    continue;
                }
                File.WriteAllBytes(path, bytes);
                File.SetLastWriteTimeUtc(path, modified);
            }
        }
    }

    private const int HeaderLength = 8192; // one page
    private const byte HeaderPageType = 1;
    private const int SignatureOffset = 32;
    private const int FileVersionOffset = 59;
    private const byte FileVersion = 8;
    private static readonly byte[] Signature = "** This is a LiteDB file **"u8.ToArray();

    public string FilePath { get; }
    public IVhidRepository Vhids { get; }
    public IHistoryRepository History { get; }
    public IAuditRepository Audit { get; }
    public IUserRepository Users { get; }
    public ITokenRepository Tokens { get; }
    public ISettingsRepository Settings { get; }

    public void Dispose()
    {
        try
        {
            _durability.Dispose();
        }
        finally
        {
            _database.Dispose();
        }
    }

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

    private sealed class VhidRepository(ILiteCollection<StoredVhid> collection, StoreDurability durable) : IVhidRepository
    {
        public IReadOnlyList<StoredVhid> GetAll() => collection.Query().OrderBy(x => x.Id).ToList();
        public StoredVhid? Get(int id) => collection.FindById(id);
        public int Insert(StoredVhid vhid) => durable.Commit(() => collection.Insert(vhid).AsInt32);
        public bool Update(StoredVhid vhid) => durable.Commit(() => collection.Update(vhid));
        public bool Delete(int id) => durable.Commit(() => collection.Delete(id));
    }

    private sealed class HistoryRepository(ILiteCollection<StoredTransition> collection, StoreDurability durable) : IHistoryRepository
    {
        public long Append(StoredTransition transition) => durable.Commit(() => collection.Insert(transition).AsInt64);

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

        public int Trim(DateTimeOffset olderThan, int keep) =>
            durable.Commit(() => TrimLog(collection, x => x.At < olderThan, keep, x => x.Id, id => x => x.Id <= id));
    }

    private sealed class AuditRepository(ILiteCollection<StoredAuditEntry> collection, StoreDurability durable) : IAuditRepository
    {
        public long Append(StoredAuditEntry entry) => durable.Commit(() => collection.Insert(entry).AsInt64);
        public IReadOnlyList<StoredAuditEntry> Query(int take) => collection.Query().OrderByDescending(x => x.Id).Limit(take).ToList();

        public int Count() => collection.Count();

        public int Trim(DateTimeOffset olderThan, int keep) =>
            durable.Commit(() => TrimLog(collection, x => x.At < olderThan, keep, x => x.Id, id => x => x.Id <= id));
    }

    /// <summary>
    /// Trims a log-like collection (the history, the audit log: ids grow with time): what is older than the cutoff,
    /// then all but the newest <paramref name="keep"/>. Returns how many entries went.
    /// </summary>
    private static int TrimLog<T>(ILiteCollection<T> collection, System.Linq.Expressions.Expression<Func<T, bool>> older, int keep,
        System.Linq.Expressions.Expression<Func<T, long>> id, Func<long, System.Linq.Expressions.Expression<Func<T, bool>>> upTo)
    {
        var deleted = collection.DeleteMany(older);
        var threshold = collection.Query().OrderByDescending(id).Select(id).Skip(keep).Limit(1).ToList();
        if (threshold.Count == 1)
        {
            deleted += collection.DeleteMany(upTo(threshold[0]));
        }
        return deleted;
    }

    private sealed class UserRepository(ILiteCollection<StoredUser> collection, StoreDurability durable) : IUserRepository
    {
        public int Count() => collection.Count();
        public StoredUser? Find(string userName) => collection.FindOne(x => x.UserName == userName);
        public IReadOnlyList<StoredUser> GetAll() => collection.Query().OrderBy(x => x.Id).ToList();
        public int Insert(StoredUser user) => durable.Commit(() => collection.Insert(user).AsInt32);
        public bool Update(StoredUser user) => durable.Commit(() => collection.Update(user));
        public bool Delete(string userName) => durable.Commit(() => collection.DeleteMany(x => x.UserName == userName) > 0);
    }

    private sealed class TokenRepository(ILiteCollection<StoredToken> collection, StoreDurability durable) : ITokenRepository
    {
        public StoredToken? FindByHash(string hash) => collection.FindOne(x => x.Hash == hash);
        public IReadOnlyList<StoredToken> GetAll() => collection.Query().OrderBy(x => x.Id).ToList();
        public int Insert(StoredToken token) => durable.Commit(() => collection.Insert(token).AsInt32);
        public bool Delete(int id) => durable.Commit(() => collection.Delete(id));
        public int DeleteExpired(DateTimeOffset expiredBy) => durable.Commit(() => collection.DeleteMany(x => x.ExpiresAt <= expiredBy));
    }

    private sealed class SettingsRepository(ILiteCollection<SettingsDocument> collection, StoreDurability durable) : ISettingsRepository
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
                    AuditMaxEntries = document.AuditMaxEntries ?? ApplianceSettings.Default.AuditMaxEntries,
                    AuditMaxAgeDays = document.AuditMaxAgeDays ?? ApplianceSettings.Default.AuditMaxAgeDays,
                    TokenMaxPerUser = document.TokenMaxPerUser ?? ApplianceSettings.Default.TokenMaxPerUser,
                    ExpiredTokenRetentionDays = document.ExpiredTokenRetentionDays ?? ApplianceSettings.Default.ExpiredTokenRetentionDays,
                };
        }

        public void Save(ApplianceSettings settings) => durable.Commit(() => collection.Upsert(new SettingsDocument
        {
            Id = SingletonId,
            HistoryMaxEntries = settings.HistoryMaxEntries,
            HistoryMaxAgeDays = settings.HistoryMaxAgeDays,
            TokenMaxLifetimeDays = settings.TokenMaxLifetimeDays,
            AuditMaxEntries = settings.AuditMaxEntries,
            AuditMaxAgeDays = settings.AuditMaxAgeDays,
            TokenMaxPerUser = settings.TokenMaxPerUser,
            ExpiredTokenRetentionDays = settings.ExpiredTokenRetentionDays,
        }));
    }

    private sealed class SettingsDocument
    {
        public int Id { get; set; }
        public int HistoryMaxEntries { get; set; }
        public int HistoryMaxAgeDays { get; set; }
        /// <summary>Null in a document written before the setting existed: the default.</summary>
        public int? TokenMaxLifetimeDays { get; set; }
        /// <summary>Null in a document written before the audit and token bounds existed: the defaults.</summary>
        public int? AuditMaxEntries { get; set; }
        public int? AuditMaxAgeDays { get; set; }
        public int? TokenMaxPerUser { get; set; }
        public int? ExpiredTokenRetentionDays { get; set; }
    }
}
