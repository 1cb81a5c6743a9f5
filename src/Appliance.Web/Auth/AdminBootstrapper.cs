using System.Security.Cryptography;
using Appliance.Web.Hosting;
using Appliance.Web.Services;

namespace Appliance.Web.Auth;

/// <summary>Where the generated first admin password is printed (stdout; tests capture it).</summary>
public sealed class AdminPasswordOutput(TextWriter writer)
{
    public TextWriter Writer { get; } = writer;
}

/// <summary>
/// On first start (no users), creates "admin" with APPLIANCE_ADMIN_PASSWORD or a generated password written to
/// DIR/initial-admin-password (0600; only the path is printed, the dashboard asks for a change at the first login).
/// Later starts change nothing.
/// </summary>
public sealed class AdminBootstrapper(UserService users, IConfiguration configuration, AdminPasswordOutput output, InitialAdminPassword initial)
{
    /// <summary>Checks the configured password; the message names the variable. Null when fine.</summary>
    public static string? ValidateConfiguration(IConfiguration configuration)
    {
        var configured = configuration[ApplianceOptions.AdminPasswordVariable];
        return configured is not null && configured.Length < UserService.MinPasswordLength
            ? $"{ApplianceOptions.AdminPasswordVariable} must have at least {UserService.MinPasswordLength} characters."
            : null;
    }

    public void EnsureAdmin()
    {
        if (users.HasUsers)
        {
            return;
        }
        var password = configuration[ApplianceOptions.AdminPasswordVariable];
        var generated = string.IsNullOrEmpty(password);
        if (generated)
        {
            password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', 'x').Replace('/', 'y');
        }
        // The file first: if it cannot be written, no user exists whose password nobody knows.
        var path = generated ? initial.Write(password!) : null;
        var result = users.Create(UserService.AdminUserName, password, actor: "system");
        if (result.Status != ServiceStatus.Ok)
        {
            throw new InvalidOperationException("Could not create the admin user: " + string.Join("; ", result.Errors.SelectMany(e => e.Value)));
        }
        if (generated)
        {
            initial.MarkGenerated(UserService.AdminUserName);
            output.Writer.WriteLine($"Created user '{UserService.AdminUserName}'; its generated password is in {path} (readable by this user only).");
            output.Writer.WriteLine($"The file is removed once the password is changed. Set {ApplianceOptions.AdminPasswordVariable} before the first start to choose it.");
            output.Writer.Flush();
        }
    }
}
