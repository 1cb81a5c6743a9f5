namespace Appliance.Web.Storage;

/// <summary>A dashboard/API user. Only the PasswordHasher output is stored, never the password.</summary>
public sealed class StoredUser
{
    public int Id { get; set; }
    public string UserName { get; set; } = "";
    public string PasswordHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}
