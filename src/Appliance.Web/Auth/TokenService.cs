using System.Security.Cryptography;
using System.Text;
using Appliance.Engine.Diagnostics;
using Appliance.Web.Services;
using Appliance.Web.Storage;

namespace Appliance.Web.Auth;

public sealed record IssuedToken(int Id, string Token, DateTimeOffset ExpiresAt)
{
    /// <summary>The secret shows as ***.</summary>
    public override string ToString() => Redaction.Print(this);
}

public sealed record TokenDto(int Id, string Name, string UserName, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>
/// API tokens: 32 random bytes shown once; only their SHA-256 is stored, so a stolen database
/// holds no usable token. Named, with an expiry, listable and revocable.
/// </summary>
public sealed class TokenService(IApplianceStore store, TimeProvider timeProvider, AuditService audit)
{
    public const string Prefix = "apl_";

    public IssuedToken Issue(string userName, string name, TimeSpan lifetime)
    {
        var token = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = timeProvider.GetUtcNow();
        var stored = new StoredToken
        {
            Name = name,
            UserName = userName,
            Hash = Hash(token),
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        };
        stored.Id = store.Tokens.Insert(stored);
        return new IssuedToken(stored.Id, token, stored.ExpiresAt);
    }

    /// <summary>Creates a named token for automation (the dashboard's token page).</summary>
    public ServiceResult<IssuedToken> Create(string userName, string? name, int? expiresInDays)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100)
        {
            errors.Add("name", "The name is required (at most 100 characters).");
        }
        if (expiresInDays is not (>= 1 and <= 3650))
        {
            errors.Add("expiresInDays", "expiresInDays must be between 1 and 3650.");
        }
        if (!errors.IsEmpty)
        {
            return ServiceResult<IssuedToken>.Invalid(errors.ToDictionary());
        }
        var issued = Issue(userName, name!.Trim(), TimeSpan.FromDays(expiresInDays!.Value));
        audit.Record(userName, "token.create", name.Trim(), [$"expiresAt: {issued.ExpiresAt:O}"]);
        return ServiceResult<IssuedToken>.Ok(issued);
    }

    /// <summary>The token's record when it exists and has not expired.</summary>
    public StoredToken? Validate(string token)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 100)
        {
            return null;
        }
        var stored = store.Tokens.FindByHash(Hash(token));
        return stored is not null && stored.ExpiresAt > timeProvider.GetUtcNow() ? stored : null;
    }

    public IReadOnlyList<TokenDto> List() =>
        store.Tokens.GetAll().Select(t => new TokenDto(t.Id, t.Name, t.UserName, t.CreatedAt, t.ExpiresAt)).ToList();

    public bool Revoke(int id, string actor)
    {
        var token = store.Tokens.GetAll().FirstOrDefault(t => t.Id == id);
        if (token is null || !store.Tokens.Delete(id))
        {
            return false;
        }
        audit.Record(actor, "token.revoke", token.Name, []);
        return true;
    }

    public int DeleteExpired() => store.Tokens.DeleteExpired(timeProvider.GetUtcNow());

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
