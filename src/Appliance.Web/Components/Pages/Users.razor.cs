using Appliance.Web.Api;
using Appliance.Web.Auth;
using Appliance.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;

namespace Appliance.Web.Components.Pages;

/// <summary>Users (admin): create with a role, change the role, disable, delete. Rules live in <see cref="UserService"/>.</summary>
public sealed partial class Users
{
    private readonly UserForm _request = new();
    private EditContext _editContext = default!;
    private ValidationMessageStore _messages = default!;
    private IReadOnlyList<UserDto> _users = [];
    private string? _confirmDelete;
    private string? _error;

    [Inject]
    private UserService UserService { get; set; } = default!;

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

    private void Load() => _users = UserService.List();

    private async Task Create()
    {
        var result = UserService.Create(_request.Username, _request.Password, await ActorAsync(), _request.Role);
        _messages.Clear();
        foreach (var (key, messages) in result.Errors)
        {
            var field = key switch
            {
                "username" => nameof(UserForm.Username),
                "role" => nameof(UserForm.Role),
                _ => nameof(UserForm.Password),
            };
            _messages.Add(_editContext.Field(field), messages);
        }
        if (result.Status == ServiceStatus.Ok)
        {
            _request.Username = "";
            _request.Password = "";
        }
        _editContext.NotifyValidationStateChanged();
        Load();
    }

    private async Task Change(string userName, UserChange change) => Show(UserService.Update(userName, change, await ActorAsync()));

    private async Task Delete(string userName)
    {
        _confirmDelete = null;
        Show(UserService.Delete(userName, await ActorAsync()));
    }

    private void Show(ServiceResult<UserDto> result)
    {
        _error = result.Status == ServiceStatus.Ok ? null : string.Join(" ", result.Errors.Values.SelectMany(m => m).DefaultIfEmpty("No such user."));
        Load();
    }

    private async Task<string> ActorAsync() => (await AuthenticationState).User.Actor();

    private sealed class UserForm
    {
        public string? Username { get; set; }
        public string? Password { get; set; }
        public string? Role { get; set; } = ApplianceRoles.Viewer;
    }
}
