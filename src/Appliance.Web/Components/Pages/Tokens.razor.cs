using Appliance.Web.Api;
using Appliance.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;

namespace Appliance.Web.Components.Pages;

/// <summary>API tokens: create with a scope (the token is shown once), list and revoke one's own (an admin: everyone's). Rules live in <see cref="TokenService"/>.</summary>
public sealed partial class Tokens
{
    private readonly TokenForm _request = new();
    private EditContext _editContext = default!;
    private ValidationMessageStore _messages = default!;
    private IReadOnlyList<TokenDto> _tokens = [];
    private System.Security.Claims.ClaimsPrincipal _user = new();
    private IssuedToken? _issued;
    private string _issuedName = "";
    private int? _confirmRevoke;

    [Inject]
    private TokenService TokenService { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>The scopes this user may give a token: up to their own role.</summary>
    private IEnumerable<string> Scopes =>
        Enum.GetValues<ApplianceRole>().Where(r => _user.IsAtLeast(r)).Select(r => r.ScopeName());

    protected override async Task OnInitializedAsync()
    {
        _editContext = new EditContext(_request);
        _messages = new ValidationMessageStore(_editContext);
        _user = (await AuthenticationState).User;
        _request.Scope = ApplianceRoles.RoleOf(_user)?.ScopeName() ?? ApplianceRoles.ReadScope;
        Load();
    }

    private void Load() => _tokens = [.. TokenService.List(_user).OrderByDescending(t => t.CreatedAt)];

    private void Create()
    {
        var result = TokenService.Create(_user, _request.Name, _request.ExpiresInDays, _request.Scope);
        _messages.Clear();
        if (result.Forbidden is { } forbidden)
        {
            _messages.Add(_editContext.Field(nameof(TokenForm.Scope)), forbidden.Title);
        }
        if (result.Issued is { } issued)
        {
            _issued = issued;
            _issuedName = _request.Name!.Trim();
            _request.Name = "";
        }
        else
        {
            _issued = null;
            foreach (var (key, messages) in result.Errors)
            {
                var field = key switch
                {
                    "name" or TokenService.LimitField => nameof(TokenForm.Name),
                    "scope" => nameof(TokenForm.Scope),
                    _ => nameof(TokenForm.ExpiresInDays),
                };
                _messages.Add(_editContext.Field(field), messages);
            }
        }
        _editContext.NotifyValidationStateChanged();
        Load();
    }

    private void Revoke(int id)
    {
        TokenService.Revoke(id, _user);
        _confirmRevoke = null;
        if (_issued?.Id == id)
        {
            _issued = null;
        }
        Load();
    }

    private sealed class TokenForm
    {
        public string? Name { get; set; }
        public int? ExpiresInDays { get; set; } = 90;
        public string? Scope { get; set; }
    }
}
