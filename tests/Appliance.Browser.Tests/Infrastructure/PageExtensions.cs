namespace Appliance.Browser.Tests.Infrastructure;

internal static class PageExtensions
{
    /// <summary>Waits for the layout's data-ready="true": the circuit is connected and clicks will work (pitfall 2).</summary>
    public static Task WaitForInteractiveAsync(this IPage page) =>
        Assertions.Expect(page.Locator(".shell[data-ready='true']")).ToBeVisibleAsync();

    /// <summary>Logs in through the login form and waits for the interactive board.</summary>
    public static async Task LoginAsync(this IPage page, DashboardHost host, string password = DashboardHost.AdminPassword)
    {
        await page.GotoAsync(host.BaseUrl + "/");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
        await page.GetByLabel("Username").FillAsync(DashboardHost.AdminUser);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Status board" })).ToBeVisibleAsync();
        await page.WaitForInteractiveAsync();
    }

    /// <summary>Marks the current document; <see cref="AssertNotReloadedAsync"/> fails if the page was loaded again since.</summary>
    /// <summary>Fills form inputs by their name attribute, in the order given.</summary>
    public static async Task FillFieldsAsync(this IPage page, params (string Name, string Value)[] fields)
    {
        foreach (var (name, value) in fields)
        {
            await page.Locator($"input[name='{name}']").FillAsync(value);
        }
    }

    public static Task MarkDocumentAsync(this IPage page) => page.EvaluateAsync("() => { window.__applianceMark = 'same-document'; }");

    public static async Task AssertNotReloadedAsync(this IPage page) =>
        Assert.Equal("same-document", await page.EvaluateAsync<string?>("() => window.__applianceMark ?? null"));

    /// <summary>Set to 1 to refresh the README's pictures in docs/screenshots; without it they go to artifacts/screenshots.</summary>
    public const string RefreshScreenshotsVariable = "APPLIANCE_REFRESH_SCREENSHOTS";

    /// <summary>
    /// Where the screenshot tests write, created: artifacts/screenshots (ignored by git), so that a test run
    /// leaves the work tree as it was; docs/screenshots only on purpose (docs/browser-tests.md).
    /// </summary>
    public static string ScreenshotDirectory()
    {
        var refresh = Environment.GetEnvironmentVariable(RefreshScreenshotsVariable) == "1";
        var directory = refresh
            ? Repository.PathOf("docs", "screenshots")
            : Repository.PathOf("artifacts", "screenshots");
        return Directory.CreateDirectory(directory).FullName;
    }
}
