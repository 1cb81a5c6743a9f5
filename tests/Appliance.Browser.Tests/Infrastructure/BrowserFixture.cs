namespace Appliance.Browser.Tests.Infrastructure;

/// <summary>One headless Debian chromium for the test class; no browser download, no network.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync().WaitAsync(DashboardHost.Timeout);
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-gpu"],
            Timeout = (float)DashboardHost.Timeout.TotalMilliseconds,
        }).WaitAsync(DashboardHost.Timeout);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync().WaitAsync(DashboardHost.Timeout);
        }
        _playwright?.Dispose();
    }

    /// <summary>A fresh context (cookies) and page at 1366x768, every wait bounded.</summary>
    public async Task<BrowserPage> NewPageAsync()
    {
        Assertions.SetDefaultExpectTimeout((float)DashboardHost.Timeout.TotalMilliseconds);
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 768 } });
        context.SetDefaultTimeout((float)DashboardHost.Timeout.TotalMilliseconds);
        context.SetDefaultNavigationTimeout((float)DashboardHost.Timeout.TotalMilliseconds);
        return new BrowserPage(await context.NewPageAsync());
    }
}

/// <summary>A page in its own browser context, closed (with its cookies) on dispose.</summary>
public sealed class BrowserPage(IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    public async ValueTask DisposeAsync() => await Page.Context.CloseAsync().WaitAsync(DashboardHost.Timeout);
}
