using Appliance.Web.Api;
using Appliance.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;

namespace Appliance.Web.Components.Pages;

/// <summary>
/// The logged-in user's password change, with inline errors. Where the layout sends a user who still has the
/// generated first password. A change ends every session (<see cref="SessionRevoker"/>), this one too: the page
/// goes to the login.
/// </summary>
public sealed partial class Password
{
    private readonly PasswordForm _form = new();
    private EditContext _editContext = default!;
    private ValidationMessageStore _messages = default!;
    private bool _mustChange;

    [Inject]
    private UserService Users { get; set; } = default!;

    [Inject]
    private InitialAdminPassword Initial { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _editContext = new EditContext(_form);
        _messages = new ValidationMessageStore(_editContext);
        _mustChange = Initial.MustChange((await AuthenticationState).User.Identity?.Name);
    }

    private async Task ChangeAsync()
    {
        _messages.Clear();
        if (!string.Equals(_form.NewPassword, _form.ConfirmPassword, StringComparison.Ordinal))
        {
            _messages.Add(_editContext.Field(nameof(PasswordForm.ConfirmPassword)), "The two new passwords differ.");
            _editContext.NotifyValidationStateChanged();
            return;
        }
        var actor = (await AuthenticationState).User.Actor();
        var result = Users.ChangePassword(actor, _form.CurrentPassword, _form.NewPassword);
        if (result.Value is not null)
        {
            Navigation.NavigateTo("/login?error=changed", forceLoad: true);
            return;
        }
        foreach (var (key, messages) in result.Errors)
        {
            _messages.Add(_editContext.Field(key == "currentPassword" ? nameof(PasswordForm.CurrentPassword) : nameof(PasswordForm.NewPassword)), messages);
        }
        _editContext.NotifyValidationStateChanged();
    }

    private sealed class PasswordForm
    {
        public string? CurrentPassword { get; set; }
        public string? NewPassword { get; set; }
        public string? ConfirmPassword { get; set; }
    }
}
