using System.Security.Claims;
using Appliance.Web.Auth;
using Appliance.Web.Services;
using Appliance.Web.Storage;
using Appliance.Web.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Web.Tests.Auth;

/// <summary>
/// The token list's bounds (docs/limits.md): at most tokenMaxPerUser unexpired tokens per user (a named one beyond is
/// refused naming the setting, a login replaces the oldest login token), expired ones deleted after
/// expiredTokenRetentionDays. A real LiteDB file and a fake clock.
/// </summary>
public sealed class TokenLimitTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly LiteDbApplianceStore _store;
    private readonly TokenService _tokens;
    private readonly ClaimsPrincipal _alice = new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "alice"), new Claim(ClaimTypes.Role, "operator")], "test"));
    private readonly ClaimsPrincipal _bob = new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "bob"), new Claim(ClaimTypes.Role, "operator")], "test"));

    public TokenLimitTests()
    {
        _store = new LiteDbApplianceStore(_directory.Path);
        _tokens = new TokenService(_store, _time, new AuditService(_store, _time));
        _store.Users.Insert(new StoredUser { UserName = "alice", Role = ApplianceRoles.Operator, PasswordHash = "x" });
        _store.Users.Insert(new StoredUser { UserName = "bob", Role = ApplianceRoles.Operator, PasswordHash = "x" });
        _store.Settings.Save(ApplianceSettings.Default with { TokenMaxPerUser = 3 });
    }

    public void Dispose()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    private IssuedToken CreateNamed(ClaimsPrincipal user, string name, int days = 30)
    {
        var outcome = _tokens.Create(user, name, days, null);
        Assert.False(outcome.Conflict);
        return Assert.IsType<IssuedToken>(outcome.Issued);
    }

    private IssuedToken Login(string user = "alice", TimeSpan? lifetime = null) =>
        Assert.IsType<IssuedToken>(_tokens.IssueLogin(user, "login", lifetime ?? TimeSpan.FromHours(12), ApplianceRole.Operator).Issued);

    [Fact]
    public void Create_BeyondTokenMaxPerUser_RefusedNamingTheSettingAndNothingStored()
    {
        CreateNamed(_alice, "a");
        CreateNamed(_alice, "b");
        CreateNamed(_alice, "c");

        var refused = _tokens.Create(_alice, "d", 30, null);

        Assert.True(refused.Conflict);
        Assert.Null(refused.Issued);
        var message = Assert.Single(refused.Errors[TokenService.LimitField]);
        Assert.Equal("alice holds 3 unexpired tokens, the most the tokenMaxPerUser setting allows (3): revoke one first.", message);
        Assert.Equal(["a", "b", "c"], _store.Tokens.GetAll().Select(t => t.Name));
        Assert.DoesNotContain(_store.Audit.Query(100), e => e.Target == "d");
        // Per user: bob is not held back by alice's tokens.
        CreateNamed(_bob, "bob's");
    }

    [Fact]
    public void Create_ExpiredTokensDoNotCount()
    {
        CreateNamed(_alice, "short", days: 1);
        CreateNamed(_alice, "b");
        CreateNamed(_alice, "c");
        _time.Advance(TimeSpan.FromDays(1));

        CreateNamed(_alice, "d");

        Assert.True(_tokens.Create(_alice, "e", 30, null).Conflict);
    }

    [Fact]
    public void IssueLogin_BeyondTokenMaxPerUser_RevokesTheOldestLoginTokenOnlyAndAuditsIt()
    {
        var named = CreateNamed(_alice, "ci");
        var first = Login();
        _time.Advance(TimeSpan.FromMinutes(1));
        var second = Login();
        _time.Advance(TimeSpan.FromMinutes(1));

        var third = Login();

        Assert.Null(_tokens.Validate(first.Token));
        Assert.NotNull(_tokens.Validate(second.Token));
        Assert.NotNull(_tokens.Validate(third.Token));
        Assert.NotNull(_tokens.Validate(named.Token));
        Assert.Equal(3, _store.Tokens.GetAll().Count);
        var revoked = Assert.Single(_store.Audit.Query(100), e => e.Action == "token.revoke");
        Assert.Equal("alice", revoked.User);
        Assert.Equal("login", revoked.Target);
        Assert.Contains("tokenMaxPerUser (3)", Assert.Single(revoked.Changes), StringComparison.Ordinal);
    }

    [Fact]
    public void IssueLogin_AllTokensAtTheLimitNamed_RefusedAndNamedTokensKept()
    {
        var named = new[] { CreateNamed(_alice, "a"), CreateNamed(_alice, "b"), CreateNamed(_alice, "c") };

        var refused = _tokens.IssueLogin("alice", "login", TimeSpan.FromHours(12), ApplianceRole.Operator);

        Assert.True(refused.Conflict);
        Assert.Null(refused.Issued);
        Assert.Contains("too few of them are login tokens", Assert.Single(refused.Errors[TokenService.LimitField]), StringComparison.Ordinal);
        Assert.All(named, t => Assert.NotNull(_tokens.Validate(t.Token)));
    }

    [Fact]
    public void IssueLogin_LimitLowered_RevokesEnoughLoginTokensToFit()
    {
        _store.Settings.Save(ApplianceSettings.Default with { TokenMaxPerUser = 10 });
        var logins = Enumerable.Range(0, 6).Select(_ => { _time.Advance(TimeSpan.FromSeconds(1)); return Login(); }).ToList();
        _store.Settings.Save(ApplianceSettings.Default with { TokenMaxPerUser = 2 });

        var latest = Login();

        Assert.Equal([logins[^1].Id, latest.Id], _store.Tokens.GetAll().Select(t => t.Id));
    }

    [Fact]
    public void DeleteExpired_KeepsExpiredTokensForTheRetentionThenDeletes()
    {
        Assert.Equal(7, ApplianceSettings.Default.ExpiredTokenRetentionDays);
        _store.Settings.Save(ApplianceSettings.Default);
        var token = CreateNamed(_alice, "short", days: 1);
        CreateNamed(_alice, "long", days: 30);

        _time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        Assert.Equal(0, _tokens.DeleteExpired());
        Assert.Null(_tokens.Validate(token.Token));
        Assert.Contains(_tokens.List(_alice), t => t.Name == "short");

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, _tokens.DeleteExpired());
        Assert.Equal(["long"], _tokens.List(_alice).Select(t => t.Name));
    }

    [Fact]
    public void DeleteExpired_RetentionZero_DeletesAtExpiry()
    {
        _store.Settings.Save(ApplianceSettings.Default with { ExpiredTokenRetentionDays = 0 });
        CreateNamed(_alice, "short", days: 1);

        _time.Advance(TimeSpan.FromDays(1));

        Assert.Equal(1, _tokens.DeleteExpired());
        Assert.Empty(_store.Tokens.GetAll());
    }
}
