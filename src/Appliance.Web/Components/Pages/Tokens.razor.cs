using Appliance.Web.Api;
using Appliance.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;

namespace Appliance.Web.Components.Pages;

/// <summary>API tokens: create (the token is shown once), list, revoke. Rules live in <see cref="TokenService"/>.</summary>
public sealed partial class Tokens
{
    private readonly TokenForm _request = new();
    private EditContext _editContext = default!;
    private ValidationMessageStore _messages = default!;
    private IReadOnlyList<TokenDto> _tokens = [];
    private IssuedToken? _issued;
    private string _issuedName = "";
    private int? _confirmRevoke;

    [Inject]
    private TokenService TokenService { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    protected override void OnInitialized()
    {
        _editContext = new EditContext(_request);
        _messages = new ValidationMessageStore(_editContext);
        Load();
    }

    private void Load() => _tokens = [.. TokenService.List().OrderByDescending(t => t.CreatedAt)];

    private async Task CreateAsync()
    {
        var actor = (await AuthenticationState).User.Actor();
        var result = TokenService.Create(actor, _request.Name, _request.ExpiresInDays);
        _messages.Clear();
        if (result.Value is { } issued)
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
                _messages.Add(_editContext.Field(key == "name" ? nameof(TokenForm.Name) : nameof(TokenForm.ExpiresInDays)), messages);
            }
        }
        _editContext.NotifyValidationStateChanged();
        Load();
    }

    private async Task Revoke(int id)
    {
        var actor = (await AuthenticationState).User.Actor();
        TokenService.Revoke(id, actor);
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
    }
}
