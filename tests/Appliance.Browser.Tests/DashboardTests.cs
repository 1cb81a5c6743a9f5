using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace Appliance.Browser.Tests;

/// <summary>The dashboard in a real browser against the real host, engine and LiteDB, over the in-memory data plane.</summary>
public sealed class DashboardTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Board_WithoutLogin_RedirectsToLoginPage()
    {
        await using var host = await DashboardHost.StartAsync();
        await using var session = await browser.NewPageAsync();
        var page = session.Page;

        await page.GotoAsync(host.BaseUrl + "/history");

        await Expect(page).ToHaveURLAsync(new Regex("/login\\?.*history", RegexOptions.IgnoreCase));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Log in" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Login_WrongPassword_ShowsErrorAndStaysOnLogin()
    {
        await using var host = await DashboardHost.StartAsync();
        await using var session = await browser.NewPageAsync();
        var page = session.Page;

        await page.GotoAsync(host.BaseUrl + "/login");
        await page.GetByLabel("Username").FillAsync(DashboardHost.AdminUser);
        await page.GetByLabel("Password").FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();

        await Expect(page.GetByTestId("login-error")).ToHaveTextAsync("Invalid username or password.");
        await Expect(page).ToHaveURLAsync(new Regex("/login"));
    }

    [Fact]
    public async Task Login_TooManyAttempts_ShowsRateLimitMessage()
    {
        await using var host = await DashboardHost.StartAsync(new Dictionary<string, string?> { ["Appliance:LoginPermitLimit"] = "2", ["Appliance:LoginWindow"] = "00:10:00" });
        await using var session = await browser.NewPageAsync();
        var page = session.Page;

        for (var i = 0; i < 3; i++)
        {
            await page.GotoAsync(host.BaseUrl + "/login");
            await page.GetByLabel("Username").FillAsync(DashboardHost.AdminUser);
            await page.GetByLabel("Password").FillAsync($"guess-{i}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
            await Expect(page.GetByTestId("login-error")).ToBeVisibleAsync();
        }

        await Expect(page.GetByTestId("login-error")).ToContainTextAsync("Too many login attempts");
    }

    [Fact]
    public async Task Login_GoodPassword_ShowsInteractiveBoard()
    {
        await using var host = await DashboardHost.StartAsync();
        await using var session = await browser.NewPageAsync();
        var page = session.Page;

        await page.LoginAsync(host);

        await Expect(page).ToHaveURLAsync(host.BaseUrl + "/");
        await Expect(page.GetByText("No VHIDs configured")).ToBeVisibleAsync();
        await Expect(page.Locator(".node strong")).ToHaveTextAsync(System.Net.Dns.GetHostName());
    }

    [Fact]
    public async Task Header_NodeNameConfigured_ShowsItInsteadOfTheHostName()
    {
        await using var host = await DashboardHost.StartAsync(new Dictionary<string, string?> { ["Appliance:NodeName"] = "node7" });
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        await page.LoginAsync(host);

        await Expect(page.Locator(".node strong")).ToHaveTextAsync("node7");
    }

    [Fact]
    public async Task AddVhidForm_ValidInput_SavesAndBadgeTurnsMasterWithoutReload()
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
            ("password", "s3cret"));
        // advbase 1: master-down is 3 s, long enough to see BACKUP first.
        await page.Locator("input[name=advbase]").FillAsync("1");
        await page.Locator("input[name=advskew]").FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create VHID" }).ClickAsync();

        var card = page.GetByTestId("vhid-card").Filter(new() { HasText = "198.18.0.10/24" });
        await Expect(card).ToBeVisibleAsync();
        await Expect(card.Locator(".badge")).ToHaveTextAsync("BACKUP");
        await Expect(card.Locator(".badge")).ToHaveTextAsync("MASTER");
        await page.AssertNotReloadedAsync();
        var saved = Assert.Single(host.Vhids.List());
        Assert.Equal((5, "198.18.0.10", 1), (saved.Vhid, saved.Vip, saved.AdvBase));
    }

    [Fact]
    public async Task AddVhidForm_OutOfRangeValues_ShowsInlineMessagesAndSavesNothing()
    {
        await using var host = await DashboardHost.StartAsync();
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        await page.LoginAsync(host);
        await page.GotoAsync(host.BaseUrl + "/vhids/new");
        await page.WaitForInteractiveAsync();

        await page.Locator("input[name=advskew]").FillAsync("255");
        await page.Locator("input[name=vhid]").FillAsync("300");

        // The same messages the REST API returns, shown while typing.
        await Expect(page.GetByText("advskew must be between 0 and 254 (got '255')")).ToBeVisibleAsync();
        await Expect(page.GetByText("vhid must be between 1 and 255 (got '300')")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Create VHID" }).ClickAsync();
        await Expect(page.GetByTestId("form-errors")).ToBeVisibleAsync();
        await Expect(page.GetByText("password is required")).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(host.BaseUrl + "/vhids/new");
        Assert.Empty(host.Vhids.List());
    }

    [Fact]
    public async Task AddVhidForm_UnicastPeers_SavedAndTheCardSaysNoUcarpPeerCanTakePart()
    {
        await using var host = await DashboardHost.StartAsync();
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        await page.LoginAsync(host);
        await page.GotoAsync(host.BaseUrl + "/vhids/new");
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByTestId("peers-ucarp-note")).ToContainTextAsync("A ucarp node cannot take part");

        await page.FillFieldsAsync(("interface", "eth-test0"), ("vhid", "6"), ("vip", "198.18.0.11"), ("password", "s3cret"));
        await page.Locator("textarea[name=peers]").FillAsync("fd00::2");
        await Expect(page.GetByText("peers must be IPv4 for now: IPv6 peers need an IPv6 VIP (not supported yet) (got 'fd00::2')")).ToBeVisibleAsync();
        await page.Locator("textarea[name=peers]").FillAsync("198.18.0.2\n198.18.0.3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create VHID" }).ClickAsync();

        var card = page.GetByTestId("vhid-card").Filter(new() { HasText = "198.18.0.11" });
        await Expect(card.GetByTestId("vhid-unicast")).ToContainTextAsync("198.18.0.2, 198.18.0.3");
        await Expect(card.GetByTestId("vhid-unicast")).ToContainTextAsync("A ucarp peer cannot take part: ucarp accepts only adverts sent to 224.0.0.18.");
        Assert.Equal(["198.18.0.2", "198.18.0.3"], Assert.Single(host.Vhids.List()).Peers);
    }

    [Fact]
    public async Task AddVhidForm_FlapDamping_DefaultsShown_BadValuesInlineFromTheValidator_SavedOff()
    {
        await using var host = await DashboardHost.StartAsync();
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        await page.LoginAsync(host);
        await page.GotoAsync(host.BaseUrl + "/vhids/new");
        await page.WaitForInteractiveAsync();

        var flap = page.GetByTestId("flap-damping");
        await Expect(flap.Locator("input[name='flapDamping.penalty']")).ToHaveValueAsync("1000");
        await Expect(flap.Locator("input[name='flapDamping.halfLifeSeconds']")).ToHaveValueAsync("60");
        await Expect(flap.Locator("input[name='flapDamping.enabled']")).ToBeCheckedAsync();

        await flap.Locator("input[name='flapDamping.halfLifeSeconds']").FillAsync("0");
        await flap.Locator("input[name='flapDamping.reuseThreshold']").FillAsync("3000");
        await Expect(page.GetByText("flapDamping.halfLifeSeconds must be between 1 and 3600 (got '0')")).ToBeVisibleAsync();
        await Expect(page.GetByText("flapDamping.reuseThreshold must be below the suppress threshold 3000 (got '3000')")).ToBeVisibleAsync();

        await flap.Locator("input[name='flapDamping.halfLifeSeconds']").FillAsync("2");
        await flap.Locator("input[name='flapDamping.reuseThreshold']").FillAsync("750");
        await flap.Locator("input[name='flapDamping.enabled']").UncheckAsync();
        await page.Locator("input[name=interface]").FillAsync("eth-test0");
        await page.Locator("input[name=vhid]").FillAsync("5");
        await page.Locator("input[name=vip]").FillAsync("198.18.0.10");
        await page.Locator("input[name=password]").FillAsync("carp-secret");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create VHID" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(host.BaseUrl + "/");
        var saved = Assert.Single(host.Vhids.List());
        Assert.Equal((false, 2, 750), (saved.FlapDamping.Enabled, saved.FlapDamping.HalfLifeSeconds, saved.FlapDamping.ReuseThreshold));
    }

    [Fact]
    public async Task AddVhidForm_SubSecondTiming_ShowsIntervalsWhileTyping()
    {
        await using var host = await DashboardHost.StartAsync();
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        await page.LoginAsync(host);
        await page.GotoAsync(host.BaseUrl + "/vhids/new");
        await page.WaitForInteractiveAsync();

        await Expect(page.GetByTestId("advert-interval")).ToHaveTextAsync("1 s");
        await Expect(page.GetByTestId("master-down")).ToHaveTextAsync("3 s");

        await page.Locator("input[name=advbase]").FillAsync("0");
        await page.Locator("input[name=advskew]").FillAsync("10");

        // 10/256 s = 39 062 us; advbase 0: master down = 3 x that.
        await Expect(page.GetByTestId("advert-interval")).ToHaveTextAsync("39.1 ms");
        await Expect(page.GetByTestId("master-down")).ToHaveTextAsync("117.2 ms");

        await page.Locator("input[name=advskew]").FillAsync("0");
        await Expect(page.GetByText("advbase and advskew must not both be 0 (the advert interval would be zero)")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("advert-interval")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task MaintenanceToggle_LoneMaster_ShowsWaitingForPeerMessage()
    {
        await using var host = await DashboardHost.StartAsync();
        var vhid = await host.AddVhidAsync(7, "198.18.0.20");
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        await page.LoginAsync(host);
        await page.MarkDocumentAsync();
        var card = page.GetByTestId("vhid-card").Filter(new() { HasText = "198.18.0.20" });
        await Expect(card.Locator(".badge")).ToHaveTextAsync("MASTER");

        await card.Locator(".switch").ClickAsync();

        await Expect(card.GetByTestId("vhid-message")).ToHaveTextAsync("maintenance: waiting for a peer to take over");
        await Expect(card.GetByTestId("maintenance-toggle")).ToBeCheckedAsync();
        Assert.True(host.Vhids.Get(vhid.Id)!.Maintenance);
        await page.AssertNotReloadedAsync();

        await card.Locator(".switch").ClickAsync();
        await Expect(card.GetByTestId("vhid-message")).ToHaveCountAsync(0);
        Assert.False(host.Vhids.Get(vhid.Id)!.Maintenance);
    }

    [Fact]
    public async Task Board_CableOfALoneMasterPulled_NoCarrierBadgeAndNamedEventsThenHistory()
    {
        await using var host = await DashboardHost.StartAsync(new Dictionary<string, string?> { ["Appliance:NodeName"] = "node7" });
        await host.AddVhidAsync(8, "198.18.0.40");
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        await page.LoginAsync(host);
        await page.MarkDocumentAsync();
        var card = page.GetByTestId("vhid-card").Filter(new() { HasText = "198.18.0.40" });
        await Expect(card.Locator("[data-state]")).ToHaveTextAsync("MASTER");
        await Expect(card.GetByTestId("peer-silent")).ToHaveTextAsync("backups are silent while this node is MASTER");
        await Expect(card.GetByTestId("no-carrier")).ToHaveCountAsync(0);

        host.Plane.SetLink("eth-test0", false);

        await Expect(card.GetByTestId("no-carrier")).ToHaveTextAsync("no carrier");
        await Expect(card.Locator("[data-state]")).ToHaveTextAsync("BACKUP");
        var lost = page.GetByTestId("timeline").Locator("li[data-kind=carrierLost]");
        await Expect(lost).ToContainTextAsync("Carrier lost on eth-test0");
        await Expect(lost.GetByTestId("timeline-node")).ToHaveTextAsync("node7");
        await Expect(page.GetByTestId("timeline-node")).ToHaveTextAsync(["node7", "node7", "node7", "node7"]);

        host.Plane.SetLink("eth-test0", true);

        await Expect(card.GetByTestId("no-carrier")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("timeline").Locator("li[data-kind=carrierRestored]")).ToContainTextAsync("Carrier back on eth-test0");
        await page.AssertNotReloadedAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "History", Exact = true }).ClickAsync();
        await page.WaitForInteractiveAsync();
        await page.Locator("select[name=kind]").SelectOptionAsync("carrier");
        var log = page.GetByTestId("history-log").Locator("li");
        await Expect(log).ToHaveCountAsync(2);
        await Expect(log.Last).ToContainTextAsync(new Regex(@" node7 appliance: \[WARNING\] Carrier lost on eth-test0: no adverts are sent or heard, BACKUP until it returns \(vhid 8 on eth-test0, state MASTER\)$"));
    }

    [Fact]
    public async Task HistoryPage_AfterFailover_ShowsSyslogLineAndFilters()
    {
        await using var host = await DashboardHost.StartAsync();
        await host.AddVhidAsync(5, "198.18.0.30");
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        await page.LoginAsync(host);

        await page.GetByRole(AriaRole.Link, new() { Name = "History", Exact = true }).ClickAsync();
        await page.WaitForInteractiveAsync();
        var log = page.GetByTestId("history-log");
        var masterLine = log.Locator("li").Filter(new() { HasText = "Switching to state: MASTER" });
        await Expect(masterLine).ToHaveCountAsync(1);
        await Expect(masterLine).ToContainTextAsync(new Regex(@"^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ appliance: \[WARNING\] Switching to state: MASTER \(vhid 5 on eth-test0, cause: master-down timeout\)$"));

        await page.Locator("select[name=state]").SelectOptionAsync("BACKUP");
        await Expect(masterLine).ToHaveCountAsync(0);
        await Expect(log.Locator("li").Filter(new() { HasText = "Switching to state: BACKUP" })).ToHaveCountAsync(1);

        await page.Locator("select[name=state]").SelectOptionAsync("");
        await page.Locator("input[name=text]").FillAsync("master-down");
        await Expect(log.Locator("li")).ToHaveCountAsync(1);
        await Expect(masterLine).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task TokensPage_CreateToken_ShowsItOnceAndItAuthenticates()
    {
        await using var host = await DashboardHost.StartAsync();
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        await page.LoginAsync(host);
        await page.GetByRole(AriaRole.Link, new() { Name = "API tokens" }).ClickAsync();
        await page.WaitForInteractiveAsync();

        await page.Locator("input[name=name]").FillAsync("monitoring");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();

        var tokenBox = page.GetByTestId("token-value");
        await Expect(tokenBox).ToHaveValueAsync(new Regex("^apl_"));
        var token = await tokenBox.InputValueAsync();
        Assert.NotNull(host.Tokens.Validate(token));
        await Expect(page.GetByTestId("token-table")).ToContainTextAsync("monitoring");

        await page.ReloadAsync();
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByTestId("token-table")).ToContainTextAsync("monitoring");
        await Expect(page.GetByTestId("token-value")).ToHaveCountAsync(0);
        Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditPage_AfterCreate_ShowsActionWithoutPassword()
    {
        await using var host = await DashboardHost.StartAsync();
        await host.AddVhidAsync(9, "198.18.0.40");
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        await page.LoginAsync(host);

        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();

        var row = page.GetByTestId("audit-table").Locator("tr").Filter(new() { HasText = "vhid.create" });
        await Expect(row).ToContainTextAsync("eth-test0/9");
        await Expect(row).ToContainTextAsync("password: set");
        Assert.DoesNotContain("secret", await page.GetByTestId("audit-table").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EditVhidForm_ChangeAndDelete_SavesKeepsPasswordAndDeletesAfterConfirm()
    {
        await using var host = await DashboardHost.StartAsync();
        var vhid = await host.AddVhidAsync(11, "198.18.0.50");
        await using var session = await browser.NewPageAsync();
        var page = session.Page;
        await page.LoginAsync(host);

        var card = page.GetByTestId("vhid-card").Filter(new() { HasText = "198.18.0.50" });
        await card.GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Edit vhid 11 on eth-test0" })).ToBeVisibleAsync();
        await Expect(page.Locator("input[name=password]")).ToHaveValueAsync("");
        await page.Locator("input[name=advskew]").FillAsync("100");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Status board" })).ToBeVisibleAsync();
        Assert.Equal(100, host.Vhids.Get(vhid.Id)!.AdvSkew);
        Assert.True(host.Vhids.Get(vhid.Id)!.HasPassword);

        await card.GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete…" }).ClickAsync();
        Assert.NotNull(host.Vhids.Get(vhid.Id));
        await page.GetByTestId("confirm-delete").ClickAsync();

        await Expect(page.GetByText("No VHIDs configured")).ToBeVisibleAsync();
        Assert.Empty(host.Vhids.List());
    }
}
