namespace Appliance.Web.Components.Layout;

public sealed partial class MainLayout
{
    private bool _ready;

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
