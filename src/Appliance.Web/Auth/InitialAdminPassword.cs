using Appliance.Web.Hosting;
using Appliance.Web.Storage;
using Microsoft.Extensions.Options;

namespace Appliance.Web.Auth;

/// <summary>
/// DIR/initial-admin-password: the generated first admin password, created 0600 (never wider, not even for a
/// moment), removed once that user's password is changed; the user is flagged <see cref="StoredUser.MustChangePassword"/>
/// until then.
/// </summary>
public sealed class InitialAdminPassword(IApplianceStore store, IOptions<ApplianceOptions> options)
{
    public const string FileName = "initial-admin-password";

    public string FilePath => Path.Combine(Path.GetFullPath(options.Value.DataDirectory), FileName);

    /// <summary>Writes the password (a stale file from an interrupted first start is replaced) and returns the path.</summary>
    public string Write(string password)
    {
        var path = FilePath;
        File.Delete(path);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var writer = new StreamWriter(path, System.Text.Encoding.UTF8, fileOptions))
        {
            writer.WriteLine(password);
        }
        return path;
    }

    /// <summary>True while the logged-in user still has the generated password.</summary>
    public bool MustChange(string? userName) => userName is not null && store.Users.Find(userName) is { MustChangePassword: true };

    /// <summary>After any password change of <paramref name="userName"/>: the flag goes, and the file when it was the generated admin's.</summary>
    public void PasswordChanged(string userName)
    {
        if (store.Users.Find(userName) is { MustChangePassword: true } user)
        {
            user.MustChangePassword = false;
            store.Users.Update(user);
        }
        if (string.Equals(userName, UserService.AdminUserName, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(FilePath);
        }
    }

    /// <summary>Marks the user as still having a generated password.</summary>
    public void MarkGenerated(string userName)
    {
        var user = store.Users.Find(userName) ?? throw new InvalidOperationException($"No user '{userName}'.");
        user.MustChangePassword = true;
        store.Users.Update(user);
    }
}
