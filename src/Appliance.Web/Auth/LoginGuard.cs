using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Appliance.Web.Services;

namespace Appliance.Web.Auth;

public enum LoginResult
{
    Ok,
    /// <summary>Wrong username or password.</summary>
    Invalid,
    /// <summary>The account is in backoff after repeated failures: refused without checking the password.</summary>
    Backoff,
    /// <summary>Too many password checks already running or queued.</summary>
    Busy,
}

/// <summary>What a login attempt got; <see cref="RetryAfter"/> is set for <see cref="LoginResult.Backoff"/> and <see cref="LoginResult.Busy"/>.</summary>
public sealed record LoginOutcome(LoginResult Result, TimeSpan RetryAfter)
{
    /// <summary>Whole seconds, at least 1, for a Retry-After header or the login page.</summary>
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds));
}

/// <summary>
/// Every password login (POST /api/auth/token, POST /account/login) goes through here, on top of the per-address
/// rate limit: audited as <c>login</c> / <c>login.failed</c> with the username and client address (never the
/// password); after <see cref="FreeFailures"/> consecutive failures from anywhere the account is refused for 1 s,
/// doubling per further failure up to <see cref="MaxBackoff"/>, even with the right password (a success resets);
/// and at most <see cref="ConcurrentHashes"/> PBKDF2 checks run at once with <see cref="QueuedHashes"/> waiting,
/// so logins cannot take the CPU the CARP engine needs.
/// </summary>
public sealed class LoginGuard(UserService users, AuditService audit, TimeProvider timeProvider) : IDisposable
{
    public const int FreeFailures = 5;
    public const int ConcurrentHashes = 2;
    public const int QueuedHashes = 4;
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan BusyRetryAfter = TimeSpan.FromSeconds(1);
    private const int MaxTrackedAccounts = 10_000;

    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrencyLimiter _hashing = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = ConcurrentHashes,
        QueueLimit = QueuedHashes,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    /// <summary>Checks a login attempt from <paramref name="client"/> (an address) arriving through <paramref name="via"/> ("api", "dashboard").</summary>
    public async Task<LoginOutcome> CheckAsync(string? userName, string? password, string client, string via, CancellationToken cancellationToken = default)
    {
        var name = Printable(userName);
        var wait = BackoffLeft(name);
        if (wait > TimeSpan.Zero)
        {
            audit.Record(name, "login.failed", client, [$"via: {via}", $"reason: account in backoff for {Math.Ceiling(wait.TotalSeconds)} s"]);
            return new LoginOutcome(LoginResult.Backoff, wait);
        }
        var verified = await RunLimitedAsync(() => users.Verify(userName, password), cancellationToken).ConfigureAwait(false);
        if (verified is null)
        {
            audit.Record(name, "login.failed", client, [$"via: {via}", "reason: too many password checks at once"]);
            return new LoginOutcome(LoginResult.Busy, BusyRetryAfter);
        }
        if (verified.Value)
        {
            _failures.TryRemove(name, out _);
            audit.Record(name, "login", client, [$"via: {via}"]);
            return new LoginOutcome(LoginResult.Ok, TimeSpan.Zero);
        }
        RecordFailure(name);
        audit.Record(name, "login.failed", client, [$"via: {via}", "reason: invalid username or password"]);
        return new LoginOutcome(LoginResult.Invalid, TimeSpan.Zero);
    }

    /// <summary>
    /// Runs <paramref name="hash"/> (a password check) under the global hashing limit; null when all slots and the
    /// queue are taken.
    /// </summary>
    public async Task<T?> RunLimitedAsync<T>(Func<T> hash, CancellationToken cancellationToken = default)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(hash);
        using var lease = await _hashing.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        return lease.IsAcquired ? hash() : null;
    }

    /// <summary>How long the account is still refused (zero when it is not).</summary>
    public TimeSpan BackoffLeft(string? userName)
    {
        if (!_failures.TryGetValue(Printable(userName), out var failures))
        {
            return TimeSpan.Zero;
        }
        lock (failures)
        {
            var left = failures.Until - timeProvider.GetUtcNow();
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    public void Dispose() => _hashing.Dispose();

    private void RecordFailure(string name)
    {
        if (_failures.Count >= MaxTrackedAccounts)
        {
            // Unknown names must not grow this without bound: forget every account not in backoff now.
            var now = timeProvider.GetUtcNow();
            foreach (var (key, value) in _failures)
            {
                if (value.Until <= now)
                {
                    _failures.TryRemove(key, out _);
                }
            }
        }
        var failures = _failures.GetOrAdd(name, _ => new Failures());
        lock (failures)
        {
            failures.Count++;
            if (failures.Count >= FreeFailures)
            {
                var doublings = Math.Min(failures.Count - FreeFailures, 20);
                var delay = TimeSpan.FromSeconds(Math.Pow(2, doublings));
                failures.Until = timeProvider.GetUtcNow() + (delay < MaxBackoff ? delay : MaxBackoff);
            }
        }
    }

    /// <summary>The username as audited: at most 64 characters, no control characters.</summary>
    private static string Printable(string? userName)
    {
        if (string.IsNullOrEmpty(userName))
        {
            return "(none)";
        }
        var clean = new string([.. userName.Where(c => !char.IsControl(c)).Take(64)]);
        return clean.Length == 0 ? "(none)" : clean;
    }

    private sealed class Failures
    {
        public int Count { get; set; }
        public DateTimeOffset Until { get; set; }
    }
}
