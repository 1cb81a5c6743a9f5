using static Microsoft.Playwright.Assertions;

namespace Appliance.Browser.Tests;

/// <summary>
/// The README's pictures: the board mid-failover (MASTER, BACKUP, maintenance, demoted), history, form, login, import.
/// Written to artifacts/screenshots; APPLIANCE_REFRESH_SCREENSHOTS=1 refreshes docs/screenshots instead.
/// </summary>
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
        // A node whose health check fails: demoted, with the sentence on the card.
        await host.AddVhidAsync(9, "198.18.0.30", advbase: 0, advskew: 30, checks:
        [
            new() { Name = "web", Kind = "command", Target = "false", IntervalMs = 200, Fall = 2 },
            new() { Name = "disk", Kind = "command", Target = "true", IntervalMs = 1000 },
        ]);
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        await page.LoginAsync(host);

        var cards = page.GetByTestId("vhid-card");
        await Expect(cards).ToHaveCountAsync(4);
        await Expect(cards.Filter(new() { HasText = "198.18.0.10" }).Locator(".badge")).ToHaveTextAsync("MASTER");
        await Expect(cards.Filter(new() { HasText = "198.18.0.20" }).Locator(".badge")).ToHaveTextAsync("MASTER");
        await Expect(cards.Filter(new() { HasText = "198.18.1.10" }).Locator(".badge")).ToHaveTextAsync("BACKUP");
        await cards.Filter(new() { HasText = "198.18.0.20" }).Locator(".switch").ClickAsync();
        await Expect(cards.Filter(new() { HasText = "198.18.0.20" }).GetByTestId("vhid-message")).ToBeVisibleAsync();
        Assert.True(host.Vhids.Get(maintained.Id)!.Maintenance);
        var demoted = cards.Filter(new() { HasText = "198.18.0.30" });
        await Expect(demoted.GetByTestId("vhid-demotion")).ToContainTextAsync($"Demoted: Command check web: {host.ScriptsDirectory}/false exited with 1");
        await Expect(demoted.Locator("[data-check=disk]")).ToHaveAttributeAsync("data-healthy", "true");
        // Let the "in state" texts tick past zero so the picture looks like a running node.
        await Expect(cards.First.GetByTestId("time-in-state")).Not.ToContainTextAsync(new System.Text.RegularExpressions.Regex("^0 s"));

        var directory = PageExtensions.ScreenshotDirectory();
        var board = Path.Combine(directory, "board.png");
        await page.ScreenshotAsync(new() { Path = board, FullPage = true });

        await page.GetByRole(AriaRole.Link, new() { Name = "History", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("history-log").Locator("li").Filter(new() { HasText = "Switching to state: MASTER" })).ToHaveCountAsync(3);
        await Expect(page.GetByTestId("history-log").Locator("li[data-kind=demoted]")).ToContainTextAsync("Demoted: Command check web");
        var history = Path.Combine(directory, "history.png");
        await page.ScreenshotAsync(new() { Path = history });

        Assert.True(new FileInfo(board).Length > 10_000);
        Assert.True(new FileInfo(history).Length > 10_000);
    }

    [Fact]
    public async Task ImportPreview_Screenshot_Saved()
    {
        await using var host = await DashboardHost.StartAsync();
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        await page.LoginAsync(host);
        await page.GotoAsync(host.BaseUrl + "/import");
        await page.WaitForInteractiveAsync();
        await page.Locator("textarea[name=text]").FillAsync(HealthAndImportTests.SampleConf);
        await page.GetByTestId("import-preview").ClickAsync();
        await Expect(page.GetByTestId("import-outcome")).ToHaveTextAsync("will be created");

        var directory = PageExtensions.ScreenshotDirectory();
        var import = Path.Combine(directory, "import.png");
        await page.ScreenshotAsync(new() { Path = import, FullPage = true });

        Assert.True(new FileInfo(import).Length > 10_000);
    }

    [Fact]
    public async Task VhidFormAndLogin_Screenshots_Saved()
    {
        await using var host = await DashboardHost.StartAsync();
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        var directory = PageExtensions.ScreenshotDirectory();

        await page.GotoAsync(host.BaseUrl + "/login");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Log in" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(directory, "login.png") });

        await page.LoginAsync(host);
        await page.GotoAsync(host.BaseUrl + "/vhids/new");
        await page.WaitForInteractiveAsync();
        await page.FillFieldsAsync(
            ("interface", "eth-test0"),
            ("vhid", "300"),
            ("vip", "198.18.0.10"),
            ("advbase", "0"),
            ("advskew", "20"));
        await Expect(page.GetByTestId("master-down")).ToHaveTextAsync("234.4 ms");
        await Expect(page.GetByText("vhid must be between 1 and 255 (got '300')")).ToBeVisibleAsync();
        await page.GetByTestId("add-check").ClickAsync();
        await page.Locator("input[name='checks[0].name']").FillAsync("web");
        await page.Locator("input[name='checks[0].target']").FillAsync("http://127.0.0.1/health");
        await page.Locator("input[name='checks[0].intervalMs']").FillAsync("5");
        await Expect(page.GetByText("intervalMs must be between 10 and 86400000 (was 5).")).ToBeVisibleAsync();
        // Full-page shots with the sticky top bar come out shifted unless taken from the top.
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        var form = Path.Combine(directory, "vhid-form.png");
        await page.ScreenshotAsync(new() { Path = form, FullPage = true });

        Assert.True(new FileInfo(form).Length > 10_000);
    }
}
