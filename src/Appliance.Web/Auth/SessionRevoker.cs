using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Appliance.Web.Hosting;
using Appliance.Web.Storage;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Appliance.Web.Auth;

/// <summary>
/// Ends a user's sessions in one place: a new security stamp (the dashboard cookie and circuits carry the old one,
/// so the next request is 401 and the circuit turns anonymous), the user's API tokens deleted, the user's hub
/// connections aborted. Call <see cref="EndSessions"/> whenever a user's password or role changes, or the user
/// is disabled or deleted.
/// </summary>
public sealed class SessionRevoker(IApplianceStore store, HubConnectionRegistry hubConnections, TimeProvider timeProvider, IOptions<ApplianceOptions> options)
{
    /// <summary>The claim holding the user's security stamp at login.</summary>
    public const string StampClaim = "appliance:stamp";

    /// <summary>The claim holding the login time (Unix seconds): the absolute lifetime counts from it, whatever the sliding renewals.</summary>
    public const string LoginAtClaim = "appliance:login_at";

    /// <summary>Raised (with the user name) after <see cref="EndSessions"/>: open dashboard circuits of that user sign out at once.</summary>
    public event Action<string>? SessionsEnded;

    /// <summary>
    /// Ends every session of <paramref name="userName"/>: new security stamp, tokens deleted, hub connections
    /// aborted, dashboard circuits signed out. Returns how many tokens were deleted. Works for a deleted user too
    /// (tokens and connections still go).
    /// </summary>
    public int EndSessions(string userName)
    {
        if (store.Users.Find(userName) is { } user)
        {
            user.SecurityStamp = NewStamp();
            store.Users.Update(user);
        }
        var deleted = 0;
        foreach (var token in store.Tokens.GetAll().Where(t => string.Equals(t.UserName, userName, StringComparison.OrdinalIgnoreCase)))
        {
            deleted += store.Tokens.Delete(token.Id) ? 1 : 0;
        }
        hubConnections.Abort(userName);
        SessionsEnded?.Invoke(userName);
        return deleted;
    }

    /// <summary>The claims a dashboard login carries besides the name: the current stamp and the login time.</summary>
    public IReadOnlyList<Claim> LoginClaims(string userName) =>
    [
        new Claim(StampClaim, CurrentStamp(userName)),
        new Claim(LoginAtClaim, timeProvider.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
    ];

    /// <summary>
    /// True while a cookie principal (or a circuit's) is still good: its user exists with the same stamp and its
    /// login is younger than Appliance:CookieAbsoluteLifetime. Reads the store every time (no caching).
    /// </summary>
    public bool IsValid(ClaimsPrincipal principal)
    {
        var userName = principal.Identity?.Name;
        var stamp = principal.FindFirstValue(StampClaim);
        if (userName is null || string.IsNullOrEmpty(stamp)
            || !long.TryParse(principal.FindFirstValue(LoginAtClaim), NumberStyles.Integer, CultureInfo.InvariantCulture, out var loginAt))
        {
            return false;
        }
        if (timeProvider.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(loginAt) >= options.Value.CookieAbsoluteLifetime)
        {
            return false;
        }
        var user = store.Users.Find(userName);
        return user is not null && user.SecurityStamp.Length > 0
            && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(user.SecurityStamp), System.Text.Encoding.UTF8.GetBytes(stamp));
    }

    /// <summary>The user's stamp; a user stored before stamps existed gets one now.</summary>
    private string CurrentStamp(string userName)
    {
        var user = store.Users.Find(userName) ?? throw new InvalidOperationException($"No user '{userName}'.");
        if (user.SecurityStamp.Length == 0)
        {
            user.SecurityStamp = NewStamp();
            store.Users.Update(user);
        }
        return user.SecurityStamp;
    }

    public static string NewStamp() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
}

/// <summary>The open hub connections per user name (StateHub adds and removes them), so a user's can be aborted.</summary>
public sealed class HubConnectionRegistry
{
    private readonly ConcurrentDictionary<string, HubCallerContext> _connections = new(StringComparer.Ordinal);

    public void Add(HubCallerContext context) => _connections[context.ConnectionId] = context;

    public void Remove(HubCallerContext context) => _connections.TryRemove(context.ConnectionId, out _);

    /// <summary>Aborts every connection of <paramref name="userName"/>; the clients see the connection closed.</summary>
    public int Abort(string userName)
    {
        var aborted = 0;
        foreach (var context in _connections.Values.Where(c => string.Equals(c.User?.Identity?.Name, userName, StringComparison.OrdinalIgnoreCase)))
        {
            context.Abort();
            Remove(context);
            aborted++;
        }
        return aborted;
    }
}
