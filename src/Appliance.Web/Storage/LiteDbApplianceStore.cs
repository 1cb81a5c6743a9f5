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
        // A file LiteDB cannot read is refused before LiteDB sees it (it would rewrite or extend it): left as it is.
        if (HeaderProblem(FilePath) is { } problem)
        {
            throw new StoreOpenException(FilePath, problem);
        }
        // LiteDB writes while it opens (index creation, the header on dispose) even when it then fails: a failed open
        // puts the files back as they were, bytes and times.
        var before = OpenSnapshot.Take(FilePath);
        LiteDatabase? database = null;
        try
        {
            database = new LiteDatabase(new ConnectionString { Filename = FilePath, Connection = ConnectionType.Direct }, CreateMapper());
            var vhids = database.GetCollection<StoredVhid>("vhids");
            vhids.EnsureIndex(x => x.Interface);
            var history = database.GetCollection<StoredTransition>("history");
            history.EnsureIndex(x => x.Vhid);
            history.EnsureIndex(x => x.Key);
            var users = database.GetCollection<StoredUser>("users");
            users.EnsureIndex(x => x.UserName, unique: true);
            var tokens = database.GetCollection<StoredToken>("tokens");
            tokens.EnsureIndex(x => x.Hash, unique: true);

            Vhids = new VhidRepository(vhids);
            History = new HistoryRepository(history);
            Audit = new AuditRepository(database.GetCollection<StoredAuditEntry>("audit"));
            Users = new UserRepository(users);
            Tokens = new TokenRepository(tokens);
            Settings = new SettingsRepository(database.GetCollection<SettingsDocument>("settings"));
        }
        catch (Exception ex) when (ex is LiteException or InvalidCastException or FormatException or InvalidDataException or ArgumentException)
        {
            database?.Dispose();
            before.Restore();
            throw new StoreOpenException(FilePath, ex.Message);
        }
        _database = database;
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
            var log = Path.Combine(Path.GetDirectoryName(filePath)!, Path.GetFileNameWithoutExtension(filePath) + "-log" + Path.GetExtension(filePath));
            foreach (var path in new[] { filePath, log })
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
                : new ApplianceSettings { HistoryMaxEntries = document.HistoryMaxEntries, HistoryMaxAgeDays = document.HistoryMaxAgeDays };
        }

        public void Save(ApplianceSettings settings) => collection.Upsert(new SettingsDocument
        {
            Id = SingletonId,
            HistoryMaxEntries = settings.HistoryMaxEntries,
            HistoryMaxAgeDays = settings.HistoryMaxAgeDays,
        });
    }

    private sealed class SettingsDocument
    {
        public int Id { get; set; }
        public int HistoryMaxEntries { get; set; }
        public int HistoryMaxAgeDays { get; set; }
    }
}
