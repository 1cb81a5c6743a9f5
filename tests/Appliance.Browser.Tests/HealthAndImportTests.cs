using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace Appliance.Browser.Tests;

/// <summary>Health checks in the form, on the board and in the history; the import page. Real host over the in-memory data plane.</summary>
public sealed class HealthAndImportTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static string DemotionSentence(DashboardHost host) =>
        $"Demoted: Command check fail: {host.ScriptsDirectory}/false exited with 1, expected 0 (2 failures in a row)";

    [Fact]
    public async Task AddVhidForm_FailingCommandCheck_BoardShowsDemotionAndRedCheckWithoutReload()
    {
        await using var host = await DashboardHost.StartAsync();
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        await page.LoginAsync(host);
        await page.MarkDocumentAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Add VHID" }).First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Add VHID" })).ToBeVisibleAsync();
        await page.FillFieldsAsync(
            ("interface", "eth-test0"),
            ("vhid", "5"),
            ("vip", "198.18.0.10"),
            ("prefixLength", "24"),
            ("password", "s3cret"),
            ("advbase", "0"),
            ("advskew", "10"));
        await page.GetByTestId("add-check").ClickAsync();
        await Expect(page.GetByTestId("check-row")).ToHaveCountAsync(1);
        await page.Locator("input[name='checks[0].name']").FillAsync("fail");
        await page.Locator("select[name='checks[0].kind']").SelectOptionAsync("command");
        await page.Locator("input[name='checks[0].target']").FillAsync("false");
        // The validator's message for checks[0].intervalMs, beside that field, while typing.
        await page.Locator("input[name='checks[0].intervalMs']").FillAsync("5");
        var intervalMessage = page.GetByTestId("check-row").GetByText("intervalMs must be between 10 and 86400000 (was 5).");
        await Expect(intervalMessage).ToBeVisibleAsync();
        await page.Locator("input[name='checks[0].intervalMs']").FillAsync("200");
        await Expect(intervalMessage).ToHaveCountAsync(0);
        await page.Locator("input[name='checks[0].fall']").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create VHID" }).ClickAsync();

        var card = page.GetByTestId("vhid-card").Filter(new() { HasText = "198.18.0.10/24" });
        await Expect(card).ToBeVisibleAsync();
        await Expect(card.GetByTestId("vhid-demotion")).ToContainTextAsync(DemotionSentence(host));
        var check = card.Locator("[data-testid=check-status][data-check=fail]");
        await Expect(check).ToHaveAttributeAsync("data-healthy", "false");
        await Expect(check.Locator(".dot")).ToHaveClassAsync(new Regex("dot-failed"));
        await Expect(check.GetByTestId("check-result")).ToContainTextAsync($"{host.ScriptsDirectory}/false exited with 1, expected 0");
        await Expect(check.GetByTestId("check-result")).ToContainTextAsync(new Regex(@"\d+ s ago"));
        await page.AssertNotReloadedAsync();
        var saved = Assert.Single(host.Vhids.List());
        var savedCheck = Assert.Single(saved.Checks);
        Assert.Equal(("fail", "command", "false", 200, 2), (savedCheck.Name, savedCheck.Kind, savedCheck.Target, savedCheck.IntervalMs, savedCheck.Fall));

        // The history keeps the sentence; the entries filter shows only the health-check lines.
        await page.GetByRole(AriaRole.Link, new() { Name = "History", Exact = true }).ClickAsync();
        await page.Locator("select[name=kind]").SelectOptionAsync("health");
        var lines = page.GetByTestId("history-log").Locator("li");
        await Expect(lines).ToHaveCountAsync(1);
        await Expect(lines.First).ToHaveAttributeAsync("data-kind", "demoted");
        await Expect(lines.First).ToContainTextAsync(DemotionSentence(host) + " (vhid 5 on eth-test0, state ");
        await page.Locator("select[name=kind]").SelectOptionAsync("transitions");
        await Expect(page.GetByTestId("history-log").Locator("li[data-kind=demoted]")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("history-log").Locator("li").First).ToContainTextAsync("Switching to state:");
    }

    [Fact]
    public async Task EditVhidForm_ExistingCheck_RemovedAndSavedWithoutChecks()
    {
        await using var host = await DashboardHost.StartAsync();
        var vhid = await host.AddVhidAsync(6, "198.18.0.11", checks:
            [new() { Name = "web", Kind = "http", Target = "http://127.0.0.1:9/", IntervalMs = 60_000, Fall = 3 }]);
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        await page.LoginAsync(host);
        await page.GotoAsync($"{host.BaseUrl}/vhids/{vhid.Id}");
        await page.WaitForInteractiveAsync();

        await Expect(page.Locator("input[name='checks[0].name']")).ToHaveValueAsync("web");
        await Expect(page.Locator("input[name='checks[0].target']")).ToHaveValueAsync("http://127.0.0.1:9/");
        await page.GetByTestId("check-row").GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Expect(page.GetByTestId("check-row")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Status board" })).ToBeVisibleAsync();
        Assert.Empty(host.Vhids.Get(vhid.Id)!.Checks);
    }

    [Fact]
    public async Task ImportPage_UcarpConfWithUnknownSetting_PreviewShowsLineMessageAndImportCreatesVhid()
    {
        await using var host = await DashboardHost.StartAsync();
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        await page.LoginAsync(host);
        await page.MarkDocumentAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Import ucarp config" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Import a ucarp configuration" })).ToBeVisibleAsync();
        await page.Locator("textarea[name=text]").FillAsync(SampleConf);
        await page.GetByTestId("import-preview").ClickAsync();

        var preview = page.GetByTestId("import-preview-result");
        var unknown = preview.Locator("[data-testid=import-messages] li[data-line='9']");
        await Expect(unknown).ToHaveAttributeAsync("data-severity", "warning");
        await Expect(unknown).ToContainTextAsync("UCARP_FROBNICATE is not a ucarp setting the appliance knows; not imported");
        await Expect(preview.GetByTestId("import-planned")).ToContainTextAsync("eth-test0/42");
        await Expect(preview.GetByTestId("import-outcome")).ToHaveTextAsync("will be created");
        Assert.Empty(host.Vhids.List());

        await page.GetByTestId("import-run").ClickAsync();
        await Expect(page.GetByTestId("import-summary")).ToContainTextAsync("ucarp.conf: 1 VHID(s) imported, 0 skipped as already configured, 0 error(s), 1 warning(s)");
        var created = Assert.Single(host.Vhids.List());
        Assert.Equal((42, "198.18.42.1", 24, 20), (created.Vhid, created.Vip, created.PrefixLength, created.AdvSkew));
        await Expect(page.GetByTestId("import-created").GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", $"/vhids/{created.Id}");

        await page.GetByRole(AriaRole.Link, new() { Name = "See them on the status board" }).ClickAsync();
        var card = page.GetByTestId("vhid-card").Filter(new() { HasText = "198.18.42.1/24" });
        await Expect(card.Locator(".badge")).ToHaveTextAsync("MASTER");
        await page.AssertNotReloadedAsync();
    }

    [Fact]
    public async Task ImportPage_AlreadyConfiguredVhid_PreviewSaysSkippedAndImportCreatesNothing()
    {
        await using var host = await DashboardHost.StartAsync();
        await host.AddVhidAsync(42, "198.18.42.9");
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        await page.LoginAsync(host);
        await page.GotoAsync(host.BaseUrl + "/import");
        await page.WaitForInteractiveAsync();

        await page.Locator("textarea[name=text]").FillAsync(SampleConf);
        await page.GetByTestId("import-preview").ClickAsync();
        await Expect(page.GetByTestId("import-outcome")).ToHaveTextAsync("skipped: vhid 42 is already configured on eth-test0");
        await page.GetByTestId("import-run").ClickAsync();

        await Expect(page.GetByTestId("import-summary")).ToContainTextAsync("0 VHID(s) imported, 1 skipped");
        Assert.Equal("198.18.42.9", Assert.Single(host.Vhids.List()).Vip);
    }

    /// <summary>A seed-style ucarp.conf; line 9 is not a setting the appliance maps.</summary>
    internal const string SampleConf = """
        # /etc/ucarp/ucarp.conf -- sourced by /etc/init.d/ucarp
        UCARP_INTERFACE=eth-test0
        UCARP_VHID=42
        UCARP_PASS="s3cret pw"
        UCARP_ADDR=198.18.42.1
        UCARP_NETMASK=255.255.255.0
        UCARP_ADVBASE=0
        UCARP_ADVSKEW=20
        UCARP_FROBNICATE=yes
        UCARP_PREEMPT=yes
        """;
}
