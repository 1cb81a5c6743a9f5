using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Appliance.Engine.Diagnostics;
using Appliance.Web.Api;
using Appliance.Web.Services;
using Appliance.Web.Storage;

namespace Appliance.Web.Auth;

public sealed record IssuedToken(int Id, string Token, DateTimeOffset ExpiresAt, string Scope)
{
    /// <summary>The secret shows as ***.</summary>
    public override string ToString() => Redaction.Print(this);
}

/// <summary>A token as listed: never the token itself. <see cref="UserName"/> is its owner.</summary>
public sealed record TokenDto(int Id, string Name, string UserName, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string Scope);

/// <summary>
/// A request for a token: issued, or bad fields (400), or a scope above the caller's right (403), or, with
/// <paramref name="Conflict"/>, the user's tokenMaxPerUser reached (409, <see cref="Errors"/> naming tokenMaxPerUser).
/// </summary>
public sealed record TokenOutcome(IssuedToken? Issued, IReadOnlyDictionary<string, string[]> Errors, MissingRight? Forbidden, bool Conflict = false);

public enum RevokeOutcome
{
    Revoked,
    NotFound,
    Forbidden,
}

/// <summary>
/// API tokens: 32 random bytes shown once; only their SHA-256 is stored, so a stolen database
/// holds no usable token. Named, scoped (read/operate/admin, never above the creator's right), with an
/// expiry capped by the tokenMaxLifetimeDays setting, at most tokenMaxPerUser unexpired ones per user (docs/limits.md);
/// they belong to their creator, who lists and revokes them (admin: all).
/// </summary>
public sealed class TokenService(IApplianceStore store, TimeProvider timeProvider, AuditService audit)
{
    public const string Prefix = "apl_";

    /// <summary>The field a 409 names when a user's unexpired tokens reached the setting of that name.</summary>
    public const string LimitField = "tokenMaxPerUser";

    private readonly Lock _issueLock = new();

    /// <summary>The scope named, or null when none is named (the caller's right) or the name is unknown (a "scope" error).</summary>
    public static ApplianceRole? ParseScope(string? scope, ValidationErrors errors)
    {
        if (scope is null)
        {
            return null;
        }
        if (ApplianceRoles.TryParseScope(scope, out var asked))
        {
            return asked;
        }
        errors.Add("scope", $"scope must be one of {string.Join(", ", ApplianceRoles.ScopeNames)} (was '{scope}').");
        return null;
    }

    /// <summary>What a 403 says when <paramref name="asked"/> is above the caller's right; null when it is not.</summary>
    public static MissingRight? AboveRight(ApplianceRole asked, ClaimsPrincipal caller, ApplianceRole right) =>
        asked > right ? RoleForbiddenHandler.Describe(caller, asked) : null;

    /// <summary>
    /// Issues a login token (POST /api/auth/token, after the password and scope were checked), its lifetime capped by
    /// tokenMaxLifetimeDays. A user at tokenMaxPerUser unexpired tokens loses their oldest login tokens to make room
    /// (audited), as a session limit signs out the oldest session; when too few of them are login tokens the login is
    /// refused (409 naming tokenMaxPerUser): named tokens are never revoked behind their owner's back.
    /// </summary>
    public TokenOutcome IssueLogin(string userName, string name, TimeSpan lifetime, ApplianceRole scope) =>
        Issue(userName, name, lifetime, scope, login: true);

    /// <summary>Creates a named token for the caller (POST /api/tokens, the dashboard's token page); refused (409) at tokenMaxPerUser.</summary>
    public TokenOutcome Create(ClaimsPrincipal caller, string? name, int? expiresInDays, string? scope)
    {
        var userName = caller.Actor();
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100)
        {
            errors.Add("name", "The name is required (at most 100 characters).");
        }
        var maxDays = store.Settings.Get().TokenMaxLifetimeDays;
        if (expiresInDays is not { } days || days < 1 || days > maxDays)
        {
            errors.Add("expiresInDays", $"expiresInDays must be between 1 and {maxDays} (the tokenMaxLifetimeDays setting).");
        }
        var right = ApplianceRoles.RoleOf(caller) ?? ApplianceRole.Viewer;
        var resolved = ParseScope(scope, errors) ?? right;
        if (!errors.IsEmpty)
        {
            return new TokenOutcome(null, errors.ToDictionary(), null);
        }
        if (AboveRight(resolved, caller, right) is { } forbidden)
        {
            return new TokenOutcome(null, errors.ToDictionary(), forbidden);
        }
        var outcome = Issue(userName, name!.Trim(), TimeSpan.FromDays(expiresInDays!.Value), resolved, login: false);
        if (outcome.Issued is { } issued)
        {
            audit.Record(userName, "token.create", name.Trim(), [$"expiresAt: {issued.ExpiresAt:O}", $"scope: {issued.Scope}"]);
        }
        return outcome;
    }

    private TokenOutcome Issue(string userName, string name, TimeSpan lifetime, ApplianceRole scope, bool login)
    {
        var token = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var settings = store.Settings.Get();
        var maxLifetime = TimeSpan.FromDays(settings.TokenMaxLifetimeDays);
        var limit = settings.TokenMaxPerUser;
        // One issue at a time, so that two concurrent requests cannot both take the last place.
        lock (_issueLock)
        {
            var now = timeProvider.GetUtcNow();
            var live = store.Tokens.GetAll()
                .Where(t => string.Equals(t.UserName, userName, StringComparison.OrdinalIgnoreCase) && t.ExpiresAt > now)
                .ToList();
            var excess = live.Count - limit + 1;
            if (excess > 0)
            {
                var oldestLogins = login
                    ? live.Where(t => t.Login).OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).Take(excess).ToList()
                    : [];
                if (oldestLogins.Count < excess)
                {
                    var message = login
                        ? $"{userName} holds {live.Count} unexpired tokens, the most the tokenMaxPerUser setting allows ({limit}), and too few of them are login tokens to replace: revoke a named token first."
                        : $"{userName} holds {live.Count} unexpired tokens, the most the tokenMaxPerUser setting allows ({limit}): revoke one first.";
                    return new TokenOutcome(null, new Dictionary<string, string[]> { [LimitField] = [message] }, null, Conflict: true);
                }
                foreach (var old in oldestLogins)
                {
                    if (store.Tokens.Delete(old.Id))
                    {
                        audit.Record(userName, "token.revoke", old.Name,
                            [$"reason: a login beyond tokenMaxPerUser ({limit}) replaced the oldest login token (created {old.CreatedAt:O})"]);
                    }
                }
            }
            var stored = new StoredToken
            {
                Name = name,
                UserName = userName,
                Hash = Hash(token),
                CreatedAt = now,
                ExpiresAt = now + (lifetime < maxLifetime ? lifetime : maxLifetime),
                Scope = scope.ScopeName(),
                Login = login,
            };
            stored.Id = store.Tokens.Insert(stored);
            return new TokenOutcome(new IssuedToken(stored.Id, token, stored.ExpiresAt, stored.Scope), new Dictionary<string, string[]>(), null);
        }
    }

    /// <summary>
    /// The token's record and its user when the token exists, has not expired and its user exists and is enabled;
    /// with the token's effective right: the lower of the user's current role and the token's scope.
    /// </summary>
    public (StoredToken Token, StoredUser User, ApplianceRole Right)? Authenticate(string token)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 100)
        {
            return null;
        }
        var stored = store.Tokens.FindByHash(Hash(token));
        if (stored is null || stored.ExpiresAt <= timeProvider.GetUtcNow())
        {
            return null;
        }
        var user = store.Users.Find(stored.UserName);
        if (user is null || user.Disabled)
        {
            return null;
        }
        return (stored, user, ApplianceRoles.Min(ApplianceRoles.RoleOf(user), ApplianceRoles.ScopeOf(stored)));
    }

    /// <summary>The token's record when it authenticates (see <see cref="Authenticate"/>).</summary>
    public StoredToken? Validate(string token) => Authenticate(token)?.Token;

    /// <summary>The caller's own tokens; an admin sees everyone's.</summary>
    public IReadOnlyList<TokenDto> List(ClaimsPrincipal caller)
    {
        var all = caller.IsAtLeast(ApplianceRole.Admin);
        var owner = caller.Actor();
        return store.Tokens.GetAll()
            .Where(t => all || t.UserName == owner)
            .Select(t => new TokenDto(t.Id, t.Name, t.UserName, t.CreatedAt, t.ExpiresAt, ApplianceRoles.ScopeOf(t).ScopeName()))
            .ToList();
    }

    /// <summary>Revokes one of the caller's tokens; an admin may revoke anyone's.</summary>
    public RevokeOutcome Revoke(int id, ClaimsPrincipal caller)
    {
        var token = store.Tokens.GetAll().FirstOrDefault(t => t.Id == id);
        if (token is null)
        {
            return RevokeOutcome.NotFound;
        }
        if (token.UserName != caller.Actor() && !caller.IsAtLeast(ApplianceRole.Admin))
        {
            return RevokeOutcome.Forbidden;
        }
        if (!store.Tokens.Delete(id))
        {
            return RevokeOutcome.NotFound;
        }
        audit.Record(caller.Actor(), "token.revoke", token.Name, token.UserName == caller.Actor() ? [] : [$"owner: {token.UserName}"]);
        return RevokeOutcome.Revoked;
    }

    /// <summary>Deletes the tokens expired longer than expiredTokenRetentionDays ago (until then they stay listed, refused); returns how many.</summary>
    public int DeleteExpired() =>
        store.Tokens.DeleteExpired(timeProvider.GetUtcNow() - TimeSpan.FromDays(store.Settings.Get().ExpiredTokenRetentionDays));

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
