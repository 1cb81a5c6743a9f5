namespace Appliance.Web.Storage;

/// <summary>A dashboard/API user. Only the PasswordHasher output is stored, never the password.</summary>
public sealed class StoredUser
{
    public int Id { get; set; }
    public string UserName { get; set; } = "";
    public string PasswordHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Changes whenever the user's sessions must end (password change, ...); cookies carry it (<see cref="Auth.SessionRevoker"/>).</summary>
    public string SecurityStamp { get; set; } = "";
    /// <summary>Still the generated first password: the dashboard sends every page to /password until changed.</summary>
    public bool MustChangePassword { get; set; }
}
