using Appliance.Web.Auth;
using Appliance.Web.Components.Pages;
using Appliance.Web.Tests.Infrastructure;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Appliance.Web.Tests.Components;

/// <summary>The /password page against the real services of a running appliance: inline errors, and a change that ends the session.</summary>
public sealed class PasswordPageTests : BunitContext, IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartAsync(new TestHostOptions { AdminPassword = null });
        Services.AddSingleton(_host.Services.GetRequiredService<UserService>());
        Services.AddSingleton(_host.Services.GetRequiredService<InitialAdminPassword>());
        AddAuthorization().SetAuthorized("admin");
    }

    async Task IAsyncLifetime.DisposeAsync() => await _host.DisposeAsync();

    private string GeneratedPassword => File.ReadAllText(Path.Combine(_host.DataDirectory, InitialAdminPassword.FileName)).Trim();

    private static void Type(IRenderedComponent<Password> page, string field, string value) =>
        page.Find($"input[name={field}]").Input(new ChangeEventArgs { Value = value });

    private static List<string> Messages(IRenderedComponent<Password> page, string field) =>
        page.Find($"input[name={field}]").ParentElement!.QuerySelectorAll(".validation-message").Select(m => m.TextContent).ToList();

    [Fact]
    public void WrongCurrentAndShortNew_ErrorsBesideTheirFields_NothingChanged()
    {
        var page = Render<Password>();
        Assert.NotNull(page.Find("[data-testid=must-change]"));

        Type(page, "currentPassword", "not-the-password");
        Type(page, "newPassword", "short");
        Type(page, "confirmPassword", "short");
        page.Find("form").Submit();

        Assert.Equal(["The current password is wrong."], Messages(page, "currentPassword"));
        Assert.Equal(["The password must have at least 8 characters."], Messages(page, "newPassword"));
        Assert.True(File.Exists(Path.Combine(_host.DataDirectory, InitialAdminPassword.FileName)));
    }

    [Fact]
    public void Mismatch_ErrorAtTheConfirmation()
    {
        var page = Render<Password>();

        Type(page, "currentPassword", GeneratedPassword);
        Type(page, "newPassword", "one-new-password");
        Type(page, "confirmPassword", "another-password");
        page.Find("form").Submit();

        Assert.Equal(["The two new passwords differ."], Messages(page, "confirmPassword"));
        Assert.True(_host.Services.GetRequiredService<InitialAdminPassword>().MustChange("admin"));
    }

    [Fact]
    public void Change_GoesToTheLogin_FileRemoved()
    {
        var page = Render<Password>();

        Type(page, "currentPassword", GeneratedPassword);
        Type(page, "newPassword", "chosen-by-the-admin");
        Type(page, "confirmPassword", "chosen-by-the-admin");
        page.Find("form").Submit();

        Assert.EndsWith("/login?error=changed", Services.GetRequiredService<BunitNavigationManager>().Uri, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_host.DataDirectory, InitialAdminPassword.FileName)));
        Assert.False(_host.Services.GetRequiredService<InitialAdminPassword>().MustChange("admin"));
    }

    [Fact]
    public void Circuits_UseTheSessionProvider()
    {
        using var scope = _host.Services.CreateScope();
        Assert.IsType<SessionAuthenticationStateProvider>(scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>());
    }
}
