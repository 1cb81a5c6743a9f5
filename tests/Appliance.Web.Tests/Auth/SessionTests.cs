using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using Appliance.Web.Auth;
using Appliance.Web.Hosting;
using Appliance.Web.Hubs;
using Appliance.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.SignalR.Client;

namespace Appliance.Web.Tests.Auth;

public sealed class SessionTests
{
    private const string NewPassword = "a-brand-new-password";

    [Fact]
    public async Task PasswordChange_EndsOpenTokenCookieAndHubConnection()
    {
        await using var host = await TestHost.StartAsync();
        using var tokenClient = await host.CreateAuthenticatedClientAsync();
        using var cookieClient = await CookieLogin.LoginAsync(host);
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(host.BaseAddress, StateHub.Path), o => o.AccessTokenProvider = async () => await host.GetTokenAsync())
            .Build();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        await hub.StartAsync().WaitAsync(TestHost.Timeout);
        Assert.Equal(HttpStatusCode.OK, (await tokenClient.GetAsync("/api/status")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await cookieClient.GetAsync("/api/status")).StatusCode);
        Assert.Equal(HubConnectionState.Connected, hub.State);

        using var change = await tokenClient.PostAsJsonAsync("/api/account/password", new { currentPassword = TestHost.AdminPassword, newPassword = NewPassword });
        Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await tokenClient.GetAsync("/api/status")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await cookieClient.GetAsync("/api/status")).StatusCode);
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(HubConnectionState.Disconnected, hub.State);
        // The hub does not take the dead token back either.
        await using var again = new HubConnectionBuilder()
            .WithUrl(new Uri(host.BaseAddress, StateHub.Path), o => o.AccessTokenProvider = () => Task.FromResult<string?>(tokenClient.DefaultRequestHeaders.Authorization!.Parameter))
            .Build();
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => again.StartAsync().WaitAsync(TestHost.Timeout));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        // The new password works; the audit log says what changed, without it.
        using var fresh = host.CreateClient();
        fresh.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await host.GetTokenAsync("admin", NewPassword));
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/api/status")).StatusCode);
        var audit = await fresh.GetStringAsync("/api/audit");
        Assert.Contains("user.password", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(NewPassword, audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasswordChange_OtherUsersSessionsStayOpen()
    {
        await using var host = await TestHost.StartAsync();
        using var admin = await host.CreateAuthenticatedClientAsync();
        using var created = await admin.PostAsJsonAsync("/api/users", new { username = "ops", password = "ops-password-1", role = "admin" });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        using var ops = await CookieLogin.LoginAsync(host, "ops", "ops-password-1");

        using var change = await admin.PostAsJsonAsync("/api/account/password", new { currentPassword = TestHost.AdminPassword, newPassword = NewPassword });
        Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync("/api/status")).StatusCode);
    }

    [Fact]
    public async Task Cookie_OlderThanAbsoluteLifetime_Is401EvenWhileActive()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions
        {
            Configuration = new Dictionary<string, string?>
            {
                ["Appliance:CookieLifetime"] = "01:00:00",
                ["Appliance:CookieAbsoluteLifetime"] = "00:00:03",
            },
        });
        using var client = await CookieLogin.LoginAsync(host);
        var loggedIn = DateTimeOffset.UtcNow;

        // Activity renews the sliding cookie; the absolute lifetime counts from the login all the same.
        while (DateTimeOffset.UtcNow - loggedIn < TimeSpan.FromSeconds(2))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/status")).StatusCode);
            await Task.Delay(500);
        }
        await Task.Delay(TimeSpan.FromSeconds(3) - (DateTimeOffset.UtcNow - loggedIn) + TimeSpan.FromMilliseconds(300));

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/status")).StatusCode);
        // Signed out: the cookie is gone, not just refused once.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/status")).StatusCode);
    }

    [Fact]
    public void Options_NonPositiveAbsoluteLifetime_IsRefusedNamingTheField()
    {
        var result = new ApplianceOptionsValidator().Validate(null, new ApplianceOptions { CookieAbsoluteLifetime = TimeSpan.Zero });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("Appliance:CookieAbsoluteLifetime", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Circuit_EndSessionsOfItsUser_TurnsAnonymousAtOnce()
    {
        await using var host = await TestHost.StartAsync();
        var sessions = host.Services.GetRequiredService<SessionRevoker>();
        using var admin = CircuitState(host, sessions, "admin");
        using var other = CircuitState(host, sessions, "admin", otherUser: true);
        Assert.True(sessions.IsValid((await admin.GetAuthenticationStateAsync()).User));
        var changed = new TaskCompletionSource<AuthenticationState>(TaskCreationOptions.RunContinuationsAsynchronously);
        admin.AuthenticationStateChanged += async state => changed.TrySetResult(await state);

        sessions.EndSessions("admin");

        var state = await changed.Task.WaitAsync(TestHost.Timeout);
        Assert.False(state.User.Identity?.IsAuthenticated);
        Assert.False((await admin.GetAuthenticationStateAsync()).User.Identity?.IsAuthenticated);
        // A circuit of another user keeps its state (ending admin's sessions is not everyone's).
        Assert.Equal("someone-else", (await other.GetAuthenticationStateAsync()).User.Identity?.Name);
    }

    [Fact]
    public async Task Principal_StaleStampOrUnknownUser_IsNotValid()
    {
        await using var host = await TestHost.StartAsync();
        var sessions = host.Services.GetRequiredService<SessionRevoker>();
        var principal = Principal("admin", sessions.LoginClaims("admin"));
        Assert.True(sessions.IsValid(principal));

        sessions.EndSessions("admin");

        Assert.False(sessions.IsValid(principal));
        Assert.True(sessions.IsValid(Principal("admin", sessions.LoginClaims("admin"))));
        Assert.False(sessions.IsValid(Principal("nobody", [new Claim(SessionRevoker.StampClaim, "x"), new Claim(SessionRevoker.LoginAtClaim, "0")])));
        Assert.False(sessions.IsValid(Principal("admin", [])));
    }

    private static SessionAuthenticationStateProvider CircuitState(TestHost host, SessionRevoker sessions, string userName, bool otherUser = false)
    {
        var provider = new SessionAuthenticationStateProvider(sessions, host.Services.GetRequiredService<ILoggerFactory>());
        var principal = otherUser
            ? Principal("someone-else", [new Claim(SessionRevoker.StampClaim, "x"), new Claim(SessionRevoker.LoginAtClaim, "0")])
            : Principal(userName, sessions.LoginClaims(userName));
        provider.SetAuthenticationState(Task.FromResult(new AuthenticationState(principal)));
        return provider;
    }

    private static ClaimsPrincipal Principal(string userName, IEnumerable<Claim> claims) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, userName), .. claims], AuthSchemes.Cookie));
}
