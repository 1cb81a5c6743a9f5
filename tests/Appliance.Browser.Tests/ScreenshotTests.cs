using static Microsoft.Playwright.Assertions;

namespace Appliance.Browser.Tests;

/// <summary>Keeps docs/screenshots current: the board mid-failover (MASTER, BACKUP, maintenance) and the history page.</summary>
public sealed class ScreenshotTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task BoardAndHistory_MixedStates_ScreenshotsSaved()
    {
        await using var host = await DashboardHost.StartAsync();
        // Fast VHIDs become MASTER within a second; the advbase 20 one stays BACKUP for a minute.
        await host.AddVhidAsync(5, "198.18.0.10", advbase: 0, advskew: 10);
        var maintained = await host.AddVhidAsync(7, "198.18.0.20", advbase: 0, advskew: 20);
        await host.AddVhidAsync(12, "198.18.1.10", advbase: 20, advskew: 100, iface: "eth-test1");
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        await page.LoginAsync(host);

        var cards = page.GetByTestId("vhid-card");
        await Expect(cards).ToHaveCountAsync(3);
        await Expect(cards.Filter(new() { HasText = "198.18.0.10" }).Locator(".badge")).ToHaveTextAsync("MASTER");
        await Expect(cards.Filter(new() { HasText = "198.18.0.20" }).Locator(".badge")).ToHaveTextAsync("MASTER");
        await Expect(cards.Filter(new() { HasText = "198.18.1.10" }).Locator(".badge")).ToHaveTextAsync("BACKUP");
        await cards.Filter(new() { HasText = "198.18.0.20" }).Locator(".switch").ClickAsync();
        await Expect(cards.Filter(new() { HasText = "198.18.0.20" }).GetByTestId("vhid-message")).ToBeVisibleAsync();
        Assert.True(host.Vhids.Get(maintained.Id)!.Maintenance);
        // Let the "in state" texts tick past zero so the picture looks like a running node.
        await Expect(cards.First.GetByTestId("time-in-state")).Not.ToContainTextAsync(new System.Text.RegularExpressions.Regex("^0 s"));

        var directory = Path.Combine(PageExtensions.RepositoryRoot(), "docs", "screenshots");
        Directory.CreateDirectory(directory);
        var board = Path.Combine(directory, "board.png");
        await page.ScreenshotAsync(new() { Path = board });

        await page.GetByRole(AriaRole.Link, new() { Name = "History", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("history-log").Locator("li").Filter(new() { HasText = "Switching to state: MASTER" })).ToHaveCountAsync(2);
        var history = Path.Combine(directory, "history.png");
        await page.ScreenshotAsync(new() { Path = history });

        Assert.True(new FileInfo(board).Length > 10_000);
        Assert.True(new FileInfo(history).Length > 10_000);
    }

    [Fact]
    public async Task VhidFormAndLogin_Screenshots_Saved()
    {
        await using var host = await DashboardHost.StartAsync();
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        var directory = Path.Combine(PageExtensions.RepositoryRoot(), "docs", "screenshots");
        Directory.CreateDirectory(directory);

        await page.GotoAsync(host.BaseUrl + "/login");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Log in" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(directory, "login.png") });

        await page.LoginAsync(host);
        await page.GotoAsync(host.BaseUrl + "/vhids/new");
        await page.WaitForInteractiveAsync();
        await page.Locator("input[name=interface]").FillAsync("eth-test0");
        await page.Locator("input[name=vhid]").FillAsync("300");
        await page.Locator("input[name=vip]").FillAsync("198.18.0.10");
        await page.Locator("input[name=advbase]").FillAsync("0");
        await page.Locator("input[name=advskew]").FillAsync("20");
        await Expect(page.GetByTestId("master-down")).ToHaveTextAsync("234.4 ms");
        await Expect(page.GetByText("The vhid must be between 1 and 255 (was 300).")).ToBeVisibleAsync();
        var form = Path.Combine(directory, "vhid-form.png");
        await page.ScreenshotAsync(new() { Path = form, FullPage = true });

        Assert.True(new FileInfo(form).Length > 10_000);
    }
}
