using Appliance.Web.Components;
using Appliance.Web.Components.Pages;
using Appliance.Web.Services;
using Appliance.Web.Tests.Infrastructure;
using Bunit;

namespace Appliance.Web.Tests.Components;

/// <summary>
/// The status board against a running appliance's real services with one stored VHID: a viewer sees the card
/// read-only (no maintenance switch, no Add or Edit), an operator gets the switch and the links.
/// </summary>
public sealed class BoardRoleTests : BunitContext, IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartAsync(new TestHostOptions { UseFakeEngine = true });
        using var client = await _host.CreateAuthenticatedClientAsync();
        await Json.CreateVhidAsync(client, Json.Vhid());
        Services.AddSingleton(_host.Services.GetRequiredService<StatusFeed>());
        Services.AddSingleton(_host.Services.GetRequiredService<VhidService>());
        Services.AddSingleton(_host.Services.GetRequiredService<HistoryService>());
        Services.AddSingleton(_host.Services.GetRequiredService<DashboardNode>());
        Services.AddSingleton(TimeProvider.System);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _host.DisposeAsync();
    }

    private IRenderedComponent<Board> RenderBoard(string user, string role)
    {
        AddAuthorization().SetAuthorized(user).SetRoles(role);
        // The board is interactive (it subscribes to the feed only then).
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        return Render<Board>();
    }

    [Fact]
    public void Viewer_SeesTheCard_WithoutMaintenanceSwitchOrForms()
    {
        var board = RenderBoard("vic", "viewer");

        board.WaitForElement("[data-testid=vhid-card]");
        Assert.Empty(board.FindAll("[data-testid=maintenance-toggle]"));
        Assert.Empty(board.FindAll("input, select, textarea, form, button"));
        Assert.Empty(board.FindAll("a[href^='/vhids']"));
        Assert.Equal("Not in maintenance", board.Find("[data-testid=maintenance-state]").TextContent);
    }

    [Fact]
    public void Operator_GetsTheSwitchAndTheLinks()
    {
        var board = RenderBoard("olga", "operator");

        board.WaitForElement("[data-testid=maintenance-toggle]");
        Assert.NotEmpty(board.FindAll("a[href='/vhids/new']"));
        Assert.NotEmpty(board.FindAll("a[href^='/vhids/']"));
    }
}
