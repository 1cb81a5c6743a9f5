using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace Appliance.Browser.Tests;

/// <summary>The API reference (Scalar at /api/docs/) in a real browser: behind the dashboard login, rendering the document.</summary>
public sealed class ApiReferenceTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Reference_AfterLogin_ShowsTheOperationsFromTheDocument()
    {
        await using var host = await DashboardHost.StartAsync();
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        var outside = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(host.BaseUrl, StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                outside.Add(request.Url);
            }
        };

        await page.GotoAsync(host.BaseUrl + "/api/docs/");
        await Expect(page).ToHaveURLAsync(new Regex("/login\\?.*api%2Fdocs", RegexOptions.IgnoreCase));
        await page.LoginAsync(host);
        await page.GotoAsync(host.BaseUrl + "/api/docs/");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Appliance API" })).ToBeVisibleAsync();
        // The sidebar names operations by their summaries.
        await Expect(page.GetByText("Health of the store and the last apply (anonymous)").First).ToBeVisibleAsync();
        await page.GetByText("VHIDs", new() { Exact = true }).First.ClickAsync();
        await Expect(page.GetByText("Enter persistent maintenance: hand the VIP to a peer").First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(PageExtensions.ScreenshotDirectory(), "api-reference.png") });
        // Served by the appliance itself: no fonts, scripts or telemetry from elsewhere.
        Assert.Empty(outside);
    }
}
