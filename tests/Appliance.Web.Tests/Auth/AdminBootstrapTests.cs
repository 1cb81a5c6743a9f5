using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Appliance.Web.Hosting;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Auth;

/// <summary>Runs sequentially (one class) because one test sets the process environment variable.</summary>
public sealed partial class AdminBootstrapTests
{
    [Fact]
    public async Task FirstStart_NoAdminPassword_GeneratesAndPrintsItOnce()
    {
        using var data = new TempDirectory();
        string password;
        await using (var first = await TestHost.StartAsync(new TestHostOptions { DataDirectory = data.Path, AdminPassword = null }))
        {
            var match = GeneratedPassword().Match(first.AdminOutput.ToString());
            Assert.True(match.Success, first.AdminOutput.ToString());
            password = match.Groups[1].Value;
            Assert.False(string.IsNullOrEmpty(await first.GetTokenAsync("admin", password)));
        }

        await using var second = await TestHost.StartAsync(new TestHostOptions { DataDirectory = data.Path, AdminPassword = null });
        Assert.Equal("", second.AdminOutput.ToString());
        Assert.False(string.IsNullOrEmpty(await second.GetTokenAsync("admin", password)));
    }

    [Fact]
    public async Task FirstStart_EnvironmentVariable_SetsAdminPasswordAndPrintsNothing()
    {
        const string password = "from-the-environment";
        Environment.SetEnvironmentVariable(ApplianceOptions.AdminPasswordVariable, password);
        try
        {
            await using var host = await TestHost.StartAsync(new TestHostOptions { AdminPassword = null });
            Assert.Equal("", host.AdminOutput.ToString());
            using var client = host.CreateClient();
            using var response = await client.PostAsJsonAsync("/api/auth/token", new { username = "admin", password });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ApplianceOptions.AdminPasswordVariable, null);
        }
    }

    [Fact]
    public async Task UserPasswords_StoredFile_HoldsNoClearPasswordOrToken()
    {
        using var data = new TempDirectory();
        string token;
        await using (var host = await TestHost.StartAsync(new TestHostOptions { DataDirectory = data.Path }))
        {
            token = await host.GetTokenAsync();
        }

        var bytes = await File.ReadAllBytesAsync(Path.Combine(data.Path, "appliance.db"));
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.DoesNotContain(TestHost.AdminPassword, text, StringComparison.Ordinal);
        Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        Assert.Contains("admin", text, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(data.Path, "keys")));
        }
    }

    [GeneratedRegex("generated password: (\\S+)")]
    private static partial Regex GeneratedPassword();
}
