using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace Appliance.Web.Auth;

/// <summary>
/// The dashboard circuit's authentication state: signed out at once when <see cref="SessionRevoker.EndSessions"/>
/// names its user, and re-checked every <see cref="Interval"/> as a backstop (stamp and absolute lifetime). Once
/// anonymous, the router's NotAuthorized sends the browser to /login.
/// </summary>
public sealed class SessionAuthenticationStateProvider : RevalidatingServerAuthenticationStateProvider
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private static readonly Task<AuthenticationState> Anonymous = Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity())));
    private readonly SessionRevoker _sessions;

    public SessionAuthenticationStateProvider(SessionRevoker sessions, ILoggerFactory loggerFactory)
        : base(loggerFactory)
    {
        _sessions = sessions;
        _sessions.SessionsEnded += OnSessionsEnded;
    }

    protected override TimeSpan RevalidationInterval => Interval;

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        Task.FromResult(_sessions.IsValid(authenticationState.User));

    private void OnSessionsEnded(string userName)
    {
        Task<AuthenticationState> state;
        try
        {
            state = GetAuthenticationStateAsync();
        }
        catch (InvalidOperationException)
        {
            return; // not set yet: the circuit has not started
        }
        if (state.IsCompletedSuccessfully && string.Equals(state.Result.User.Identity?.Name, userName, StringComparison.OrdinalIgnoreCase))
        {
            SetAuthenticationState(Anonymous);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sessions.SessionsEnded -= OnSessionsEnded;
        }
        base.Dispose(disposing);
    }
}
