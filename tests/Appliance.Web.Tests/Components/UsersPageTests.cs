using Appliance.Web.Auth;
using Appliance.Web.Components.Pages;
using Appliance.Web.Tests.Infrastructure;
using Bunit;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Tests.Components;

/// <summary>The admin's Users page against the real UserService and LiteDB: create with a role, change it, the last-admin guard.</summary>
public sealed class UsersPageTests : BunitContext, IAsyncLifetime
{
    private TestHost _host = null!;

    private UserService UserService => _host.Services.GetRequiredService<UserService>();

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartAsync(new TestHostOptions { UseFakeEngine = true });
        Services.AddSingleton(UserService);
        Services.AddSingleton(TimeProvider.System);
        AddAuthorization().SetAuthorized("admin").SetRoles("admin");
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public void Create_WithRole_ThenChangeIt_StoredAndListed()
    {
        var page = Render<Users>();

        page.Find("[data-testid=user-name]").Input(new ChangeEventArgs { Value = "ursula" });
        page.Find("[data-testid=user-password]").Input(new ChangeEventArgs { Value = "ursula-password" });
        page.Find("[data-testid=user-role]").Change("operator");
        page.Find("form").Submit();

        Assert.Equal("operator", UserService.List().Single(u => u.UserName == "ursula").Role);
        page.Find("tr[data-user=ursula] [data-testid=role-select]").Change("viewer");
        Assert.Equal("viewer", UserService.List().Single(u => u.UserName == "ursula").Role);
        Assert.Equal("viewer", page.Find("tr[data-user=ursula] [data-testid=role-select]").GetAttribute("value"));
    }

    [Fact]
    public void DemotingTheLastAdmin_ShowsWhyAndChangesNothing()
    {
        var page = Render<Users>();

        page.Find("tr[data-user=admin] [data-testid=role-select]").Change("viewer");

        Assert.Contains("last enabled admin", page.Find("[data-testid=user-error]").TextContent, StringComparison.Ordinal);
        Assert.Equal("admin", UserService.List().Single(u => u.UserName == "admin").Role);
    }

    [Fact]
    public void Create_ShortPassword_MessageAtTheField()
    {
        var page = Render<Users>();

        page.Find("[data-testid=user-name]").Input(new ChangeEventArgs { Value = "shorty" });
        page.Find("[data-testid=user-password]").Input(new ChangeEventArgs { Value = "short" });
        page.Find("form").Submit();

        Assert.Contains("at least 8 characters", page.Find("[data-testid=user-password]").ParentElement!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(UserService.List(), u => u.UserName == "shorty");
    }
}
