using System.Security.Claims;
using Appliance.Web.Auth;
using Appliance.Web.Components.Pages;
using Appliance.Web.Tests.Infrastructure;
using Bunit;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Tests.Components;

/// <summary>The token page offers scopes up to the user's role and lists only the user's own tokens (an admin: all).</summary>
public sealed class TokensPageTests : BunitContext, IAsyncLifetime
{
    private TestHost _host = null!;

    private TokenService TokenService => _host.Services.GetRequiredService<TokenService>();

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartAsync(new TestHostOptions { UseFakeEngine = true });
        _host.Services.GetRequiredService<UserService>().Create("vic", "vic-password", "admin", ApplianceRoles.Viewer);
        Services.AddSingleton(TokenService);
        Services.AddSingleton(TimeProvider.System);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public void Viewer_OffersOnlyRead_CreatesAReadToken_SeesOnlyOwnTokens()
    {
        var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, "admin")], "test"));
        TokenService.Create(admin, "admins", 7, null);
        AddAuthorization().SetAuthorized("vic").SetRoles("viewer");

        var page = Render<Tokens>();

        Assert.Equal(["read"], page.FindAll("[data-testid=token-scope] option").Select(o => o.GetAttribute("value")));
        page.Find("input[name=name]").Input(new ChangeEventArgs { Value = "grafana" });
        page.Find("form").Submit();

        page.Find("[data-testid=token-value]");
        var rows = page.FindAll("[data-testid=token-table] tbody tr");
        var row = Assert.Single(rows);
        Assert.Contains("grafana", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("read", row.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Admin_OffersEveryScope()
    {
        AddAuthorization().SetAuthorized("admin").SetRoles("admin");

        var page = Render<Tokens>();

        Assert.Equal(["read", "operate", "admin"], page.FindAll("[data-testid=token-scope] option").Select(o => o.GetAttribute("value")));
    }
}
