using Appliance.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Appliance.Web.Components.Layout;

public sealed partial class MainLayout
{
    private bool _ready;

    [Inject]
    private InitialAdminPassword InitialPassword { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    /// <summary>A user who still has the generated first password sees only /password until it is changed.</summary>
    protected override async Task OnParametersSetAsync()
    {
        if (AuthenticationState is null || Navigation.ToBaseRelativePath(Navigation.Uri).Split('?', '#')[0] == "password")
        {
            return;
        }
        if (InitialPassword.MustChange((await AuthenticationState).User.Identity?.Name))
        {
            Navigation.NavigateTo("/password");
        }
    }

    /// <summary>data-ready="true" tells browser tests (and nothing else) that the circuit is interactive.</summary>
    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            _ready = true;
            StateHasChanged();
        }
    }
}
