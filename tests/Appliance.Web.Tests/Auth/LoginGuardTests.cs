using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Web.Auth;
using Appliance.Web.Services;
using Appliance.Web.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Web.Tests.Auth;

public sealed class LoginGuardTests : IAsyncLifetime
{
    private const string Client = "198.18.0.9";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private TestHost _host = null!;
    private LoginGuard _guard = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartAsync();
        _guard = new LoginGuard(_host.Services.GetRequiredService<UserService>(), _host.Services.GetRequiredService<AuditService>(), _time);
    }

    public async Task DisposeAsync()
    {
        _guard.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task FiveFailures_RefuseEvenTheRightPasswordForOneSecond_ThenSuccessResets()
    {
        for (var i = 0; i < LoginGuard.FreeFailures - 1; i++)
        {
            Assert.Equal(LoginResult.Invalid, (await _guard.CheckAsync("admin", "wrong-password", Client, "api")).Result);
        }
        Assert.Equal(LoginResult.Ok, (await _guard.CheckAsync("admin", TestHost.AdminPassword, Client, "api")).Result);
        for (var i = 0; i < LoginGuard.FreeFailures; i++)
        {
            Assert.Equal(LoginResult.Invalid, (await _guard.CheckAsync("admin", "wrong-password", Client, "api")).Result);
        }

        var refused = await _guard.CheckAsync("admin", TestHost.AdminPassword, "198.18.0.10", "api");
        Assert.Equal(LoginResult.Backoff, refused.Result);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);
        // Another account is not affected.
        Assert.Equal(TimeSpan.Zero, _guard.BackoffLeft("someone-else"));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(LoginResult.Ok, (await _guard.CheckAsync("admin", TestHost.AdminPassword, Client, "api")).Result);
        Assert.Equal(LoginResult.Invalid, (await _guard.CheckAsync("admin", "wrong-password", Client, "api")).Result);
        Assert.Equal(TimeSpan.Zero, _guard.BackoffLeft("admin"));
    }

    [Fact]
    public async Task FurtherFailures_DoubleTheBackoffUpToFiveMinutes()
    {
        for (var i = 0; i < LoginGuard.FreeFailures; i++)
        {
            await _guard.CheckAsync("admin", "wrong-password", Client, "api");
        }
        var seen = new List<TimeSpan> { _guard.BackoffLeft("admin") };
        for (var i = 0; i < 12; i++)
        {
            _time.Advance(_guard.BackoffLeft("admin"));
            Assert.Equal(LoginResult.Invalid, (await _guard.CheckAsync("ADMIN", "wrong-password", Client, "dashboard")).Result);
            seen.Add(_guard.BackoffLeft("admin"));
        }

        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300, 300], seen.Select(s => s.TotalSeconds));
        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(LoginResult.Backoff, (await _guard.CheckAsync("admin", TestHost.AdminPassword, Client, "api")).Result);
    }

    [Fact]
    public async Task HashingSlotsAndQueueFull_AnswersBusy_ThenLoginsWorkAgain()
    {
        using var release = new ManualResetEventSlim();
        var running = new CountdownEvent(LoginGuard.ConcurrentHashes);
        var holders = Enumerable.Range(0, LoginGuard.ConcurrentHashes + LoginGuard.QueuedHashes)
            .Select(_ => Task.Run(() => _guard.RunLimitedAsync(() =>
            {
                if (!running.IsSet)
                {
                    running.Signal();
                }
                return release.Wait(TestHost.Timeout);
            })))
            .ToList();
        Assert.True(running.Wait(TestHost.Timeout));
        await Task.Delay(200); // the other four reach the queue

        var busy = await _guard.CheckAsync("admin", TestHost.AdminPassword, Client, "api");

        Assert.Equal(LoginResult.Busy, busy.Result);
        Assert.Equal(1, busy.RetryAfterSeconds);
        release.Set();
        Assert.All(await Task.WhenAll(holders), held => Assert.True(held));
        Assert.Equal(LoginResult.Ok, (await _guard.CheckAsync("admin", TestHost.AdminPassword, Client, "api")).Result);
        running.Dispose();
    }

    [Fact]
    public async Task Api_AccountInBackoff_Answers429WithRetryAfter_AndTheAuditLogHasEveryAttempt()
    {
        using var client = _host.CreateClient();
        for (var i = 0; i < LoginGuard.FreeFailures; i++)
        {
            using var wrong = await client.PostAsJsonAsync("/api/auth/token", new { username = "admin", password = "wrong-password-" + i });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var refused = await client.PostAsJsonAsync("/api/auth/token", new { username = "admin", password = TestHost.AdminPassword });

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 2);

        // Retry-After says when: then the right password works, and the audit log shows it all.
        await Task.Delay(retryAfter.Value + TimeSpan.FromMilliseconds(200));
        using var admin = await _host.CreateAuthenticatedClientAsync();
        var audit = await admin.GetFromJsonAsync<JsonArray>("/api/audit?take=20");
        var logins = audit!.Select(e => e!.AsObject()).Where(e => e["action"]!.GetValue<string>().StartsWith("login", StringComparison.Ordinal)).ToList();
        Assert.Equal(LoginGuard.FreeFailures + 1, logins.Count(e => e["action"]!.GetValue<string>() == "login.failed"));
        Assert.Contains(logins, e => e["action"]!.GetValue<string>() == "login");
        Assert.All(logins, e =>
        {
            Assert.Equal("admin", e["user"]!.GetValue<string>());
            Assert.Equal("127.0.0.1", e["target"]!.GetValue<string>());
        });
        var text = audit!.ToJsonString();
        Assert.DoesNotContain("wrong-password", text, StringComparison.Ordinal);
        Assert.DoesNotContain(TestHost.AdminPassword, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginForm_AccountInBackoff_PageSaysHowLongToWait()
    {
        using var client = CookieLogin.CreateClient(_host);
        for (var i = 0; i < LoginGuard.FreeFailures; i++)
        {
            using var wrong = await CookieLogin.PostAsync(client, "admin", "wrong-password");
            Assert.StartsWith("/login?error=1", wrong.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        using var refused = await CookieLogin.PostAsync(client, "admin", TestHost.AdminPassword);
        var location = refused.Headers.Location!.OriginalString;
        Assert.StartsWith("/login?error=backoff&wait=1", location, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/status")).StatusCode);

        var page = await client.GetStringAsync(location);
        Assert.Contains("Too many failed attempts, try again in 1 s.", page, StringComparison.Ordinal);
    }
}
