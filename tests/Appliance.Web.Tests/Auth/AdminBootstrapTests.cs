using System.Net;
using System.Net.Http.Json;
using System.Net.Http.Headers;
using Appliance.Web.Auth;
using Appliance.Web.Services;
using Appliance.Web.Hosting;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Auth;

/// <summary>Runs sequentially (one class) because one test sets the process environment variable.</summary>
public sealed class AdminBootstrapTests
{
    [Fact]
    public async Task FirstStart_NoAdminPassword_WritesItToA0600FileAndPrintsOnlyThePath()
    {
        using var data = new TempDirectory();
        var file = Path.Combine(data.Path, InitialAdminPassword.FileName);
        string password;
        await using (var first = await TestHost.StartAsync(new TestHostOptions { DataDirectory = data.Path, AdminPassword = null }))
        {
            var output = first.AdminOutput.ToString();
            Assert.Contains(file, output, StringComparison.Ordinal);
            password = (await File.ReadAllTextAsync(file)).Trim();
            Assert.True(password.Length >= 16, password);
            Assert.DoesNotContain(password, output, StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
            Assert.False(string.IsNullOrEmpty(await first.GetTokenAsync("admin", password)));
        }

        await using var second = await TestHost.StartAsync(new TestHostOptions { DataDirectory = data.Path, AdminPassword = null });
        Assert.Equal("", second.AdminOutput.ToString());
        Assert.True(File.Exists(file));
        using var client = second.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await second.GetTokenAsync("admin", password));
        using var change = await client.PostAsJsonAsync("/api/account/password", new { currentPassword = password, newPassword = "chosen-by-the-admin" });
        Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        Assert.False(File.Exists(file));
        Assert.False(second.Services.GetRequiredService<InitialAdminPassword>().MustChange("admin"));
    }

    [Fact]
    public async Task Dashboard_GeneratedPassword_SendsEveryPageToPasswordUntilChanged()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions { AdminPassword = null });
        var file = Path.Combine(host.DataDirectory, InitialAdminPassword.FileName);
        var password = (await File.ReadAllTextAsync(file)).Trim();
        using var browser = await CookieLogin.LoginAsync(host, "admin", password);

        foreach (var page in new[] { "/", "/history", "/tokens" })
        {
            using var response = await browser.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/password", response.Headers.Location!.AbsolutePath);
        }
        var form = await browser.GetStringAsync("/password");
        Assert.Contains("data-testid=\"must-change\"", form, StringComparison.Ordinal);
        Assert.Contains("name=\"newPassword\"", form, StringComparison.Ordinal);

        // The dashboard's own change path (the service the page calls) removes the file too; then the board shows.
        var users = host.Services.GetRequiredService<UserService>();
        Assert.Equal(ServiceStatus.Ok, users.ChangePassword("admin", password, "chosen-by-the-admin").Status);
        Assert.False(File.Exists(file));
        using var again = await CookieLogin.LoginAsync(host, "admin", "chosen-by-the-admin");
        using var board = await again.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, board.StatusCode);
    }

    [Fact]
    public async Task FirstStart_ChosenPassword_NoFileAndNoChangeAsked()
    {
        await using var host = await TestHost.StartAsync();
        Assert.False(File.Exists(Path.Combine(host.DataDirectory, InitialAdminPassword.FileName)));
        using var browser = await CookieLogin.LoginAsync(host);
        using var board = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, board.StatusCode);
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

}
