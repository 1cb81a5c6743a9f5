namespace Appliance.Web.Storage;

/// <summary>An API token. Only the SHA-256 of the token is stored; the token itself is shown once.</summary>
public sealed class StoredToken
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    public string UserName { get; set; } = "";
    /// <summary>Lower-case hex SHA-256 of the token string.</summary>
    public string Hash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>"read", "operate" or "admin"; empty (a store from before scopes) reads as admin, capped by the user's role.</summary>
    public string Scope { get; set; } = "";
    /// <summary>Issued by a login (POST /api/auth/token), not created by name: the one kind a login may revoke to stay within tokenMaxPerUser.</summary>
    public bool Login { get; set; }
}
