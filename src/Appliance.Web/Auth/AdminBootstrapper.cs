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
/// On first start (no users), creates "admin" with APPLIANCE_ADMIN_PASSWORD or a generated password
/// printed once. Later starts change nothing.
/// </summary>
public sealed class AdminBootstrapper(UserService users, IConfiguration configuration, AdminPasswordOutput output)
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
        var result = users.Create(UserService.AdminUserName, password, actor: "system", role: ApplianceRoles.Admin);
        if (result.Status != ServiceStatus.Ok)
        {
            throw new InvalidOperationException("Could not create the admin user: " + string.Join("; ", result.Errors.SelectMany(e => e.Value)));
        }
        if (generated)
        {
            output.Writer.WriteLine($"Created user '{UserService.AdminUserName}' with generated password: {password}");
            output.Writer.WriteLine($"It is shown only once. Set {ApplianceOptions.AdminPasswordVariable} before the first start to choose it.");
            output.Writer.Flush();
        }
    }
}
