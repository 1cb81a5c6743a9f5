using System.Collections.Concurrent;
using Appliance.Web.Hosting;
using static Microsoft.Playwright.Assertions;

namespace Appliance.Browser.Tests;

/// <summary>
/// The dashboard over HTTPS with the node's generated certificate, under the Content-Security-Policy every response
/// carries: logging in, the live board, a form and the pages in the menu raise no CSP violation in Chromium, and the
/// circuit (a same-origin wss:// WebSocket, allowed by 'self') runs.
/// </summary>
public sealed class ContentSecurityPolicyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Dashboard_OverHttps_WorksWithoutCspViolations()
    {
        await using var host = await DashboardHost.StartAsync(new Dictionary<string, string?> { [EnvironmentSettings.UrlsKey] = "https://127.0.0.1:0" });
        Assert.StartsWith("https://", host.BaseUrl, StringComparison.Ordinal);
        var fingerprint = host.App.Services.GetRequiredService<ServerCertificate>().Fingerprint!;
        // The generated certificate is self-signed: this context accepts it, as an operator does after comparing the fingerprint.
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true,
            ViewportSize = new ViewportSize { Width = 1366, Height = 768 },
        });
        try
        {
            context.SetDefaultTimeout((float)DashboardHost.Timeout.TotalMilliseconds);
            var violations = new ConcurrentQueue<string>();
            // Both the DOM event (kept across navigations through the exposed function) and the console's "Refused to ...".
            await context.ExposeFunctionAsync("__applianceCspViolation", (string text) => violations.Enqueue(text));
            await context.AddInitScriptAsync(
                "document.addEventListener('securitypolicyviolation', e => window.__applianceCspViolation(e.violatedDirective + ' ' + e.blockedURI));");
            var page = await context.NewPageAsync();
            page.Console += (_, message) =>
            {
                if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                {
                    violations.Enqueue(message.Text);
                }
            };

            await page.LoginAsync(host);
            await page.GetByRole(AriaRole.Link, new() { Name = "Add VHID" }).First.ClickAsync();
            await page.FillFieldsAsync(("interface", "eth-test0"), ("vhid", "5"), ("vip", "198.18.0.10"), ("prefixLength", "24"), ("password", "s3cret"));
            await page.GetByRole(AriaRole.Button, new() { Name = "Create VHID" }).ClickAsync();
            var card = page.GetByTestId("vhid-card").Filter(new() { HasText = "198.18.0.10/24" });
            await Expect(card.Locator(".badge")).ToHaveTextAsync("MASTER");
            await card.Locator(".switch").ClickAsync();
            await Expect(card.GetByTestId("maintenance-toggle")).ToBeCheckedAsync();
            foreach (var link in new[] { "History", "API tokens", "Audit log", "About" })
            {
                await page.GetByRole(AriaRole.Link, new() { Name = link, Exact = true }).ClickAsync();
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            }
            await Expect(page.GetByTestId("about-fingerprint")).ToHaveTextAsync(fingerprint);
            await page.GotoAsync(host.BaseUrl + "/");
            await page.WaitForInteractiveAsync();
            Assert.Empty(violations);

            // The node goes away: the circuit's reconnect dialog appears, styled from app.css (Blazor's default one
            // would inject an inline <style>, which the policy blocks).
            // A short graceful stop: the open circuit is then cut, as a restart or a lost route would.
            using (var cut = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
            {
                try
                {
                    await host.App.StopAsync(cut.Token).WaitAsync(DashboardHost.Timeout);
                }
                catch (OperationCanceledException)
                {
                    // Connections aborted when the token fired: what this step wants.
                }
            }
            var dialog = page.Locator("#components-reconnect-modal");
            await Expect(dialog).ToBeVisibleAsync();
            await Expect(dialog).ToContainTextAsync("Connection to the node lost");
            Assert.Empty(violations);
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
