using Appliance.Web.Components.Pages;
using Appliance.Web.Services;
using Appliance.Web.Tests.Infrastructure;
using Bunit;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Tests.Components;

/// <summary>
/// The VHID form rendered alone against the real services of a running appliance (real validator, real
/// LiteDB, the fake engine): inline messages per touched field, named after the field; a valid save.
/// </summary>
public sealed class VhidEditTests : BunitContext, IAsyncLifetime
{
    private TestHost _host = null!;

    private VhidService Vhids => _host.Services.GetRequiredService<VhidService>();

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartAsync(new TestHostOptions { UseFakeEngine = true });
        Services.AddSingleton(Vhids);
        Services.AddSingleton(_host.Services.GetRequiredService<ScriptCatalog>());
        AddAuthorization().SetAuthorized("admin");
    }

    async Task IAsyncLifetime.DisposeAsync() => await _host.DisposeAsync();

    private static void Type(IRenderedComponent<VhidEdit> form, string field, string value) =>
        form.Find($"input[name={field}]").Input(new ChangeEventArgs { Value = value });

    /// <summary>The validation messages inside the field's label.</summary>
    private static List<string> Messages(IRenderedComponent<VhidEdit> form, string field) =>
        form.Find($"input[name={field}]").ParentElement!.QuerySelectorAll(".validation-message").Select(m => m.TextContent).ToList();

    [Fact]
    public void Typing_OutOfRangeVhid_MessageNamesTheFieldBesideIt()
    {
        var form = Render<VhidEdit>();

        Type(form, "vhid", "300");

        Assert.Equal(["vhid must be between 1 and 255 (got '300')"], Messages(form, "vhid"));
        Assert.Contains("invalid", form.Find("input[name=vhid]").ParentElement!.ClassList);
        // The untouched, still empty fields stay quiet until the first submit.
        Assert.Empty(Messages(form, "vip"));
        Assert.Empty(Messages(form, "interface"));
    }

    [Fact]
    public void Typing_ScriptPath_MessageAtTheScriptField()
    {
        var form = Render<VhidEdit>();

        Type(form, "upscript", "/etc/vip-up.sh");

        var message = Assert.Single(Messages(form, "upscript"));
        Assert.StartsWith("'/etc/vip-up.sh' is not a usable script in ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Typing_UnknownInterfaceAndBadVip_EachMessageAtItsField()
    {
        var form = Render<VhidEdit>();

        Type(form, "interface", "eth9");
        Type(form, "vip", "not-an-ip");

        Assert.Equal(["The interface 'eth9' does not exist."], Messages(form, "interface"));
        Assert.Equal(["vip must be a unicast IPv4 address (got 'not-an-ip')"], Messages(form, "vip"));
    }

    [Fact]
    public void Typing_FixedValue_MessageGoes()
    {
        var form = Render<VhidEdit>();
        Type(form, "vhid", "300");

        Type(form, "vhid", "7");

        Assert.Empty(Messages(form, "vhid"));
    }

    [Fact]
    public void Submit_Empty_EveryRequiredFieldNamedAndNothingSaved()
    {
        var form = Render<VhidEdit>();

        form.Find("form").Submit();

        form.WaitForAssertion(() => Assert.NotEmpty(form.FindAll("[data-testid=form-errors]")), TestTimeouts.Default);
        Assert.All(new[] { "interface", "vip", "password" }, field => Assert.NotEmpty(Messages(form, field)));
        Assert.Empty(Vhids.List());
        Assert.Equal("http://localhost/", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public void Submit_Valid_SavesAndGoesBackToTheBoard()
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("/vhids/new");
        var form = Render<VhidEdit>();
        Type(form, "interface", "eth-test0");
        Type(form, "vhid", "7");
        Type(form, "vip", "198.18.7.1");
        Type(form, "password", "carp-secret");
        Type(form, "advskew", "20");

        form.Find("form").Submit();

        form.WaitForAssertion(() => Assert.Equal("http://localhost/", navigation.Uri), TestTimeouts.Default);
        var saved = Assert.Single(Vhids.List());
        Assert.Equal(("eth-test0", 7, "198.18.7.1", 20), (saved.Interface, saved.Vhid, saved.Vip, saved.AdvSkew));
        Assert.Empty(form.FindAll(".validation-message"));
    }

    [Fact]
    public void Peers_TypedOnePerLine_SavedAndShownAgainWithTheUcarpNote()
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("/vhids/new");
        var form = Render<VhidEdit>();
        Type(form, "interface", "eth-test0");
        Type(form, "vhid", "7");
        Type(form, "vip", "198.18.7.1");
        Type(form, "password", "carp-secret");
        Assert.Contains("A ucarp node cannot take part", form.Find("[data-testid=peers-ucarp-note]").TextContent, StringComparison.Ordinal);

        form.Find("textarea[name=peers]").Input(new ChangeEventArgs { Value = "198.18.7.2\n198.18.7.3, " });
        form.Find("form").Submit();

        form.WaitForAssertion(() => Assert.Equal("http://localhost/", navigation.Uri), TestTimeouts.Default);
        var saved = Assert.Single(Vhids.List());
        Assert.Equal(["198.18.7.2", "198.18.7.3"], saved.Peers);
        var edit = Render<VhidEdit>(p => p.Add(c => c.Id, saved.Id));
        Assert.Equal("198.18.7.2\n198.18.7.3", edit.Find("textarea[name=peers]").GetAttribute("value"));
    }

    [Fact]
    public void Peers_IPv6_MessageNamesPeersBesideTheField()
    {
        var form = Render<VhidEdit>();

        form.Find("textarea[name=peers]").Input(new ChangeEventArgs { Value = "fd00::2" });

        var messages = form.Find("textarea[name=peers]").ParentElement!.QuerySelectorAll(".validation-message").Select(m => m.TextContent).ToList();
        Assert.Equal(["peers must be IPv4 for now: IPv6 peers need an IPv6 VIP (not supported yet) (got 'fd00::2')"], messages);
    }

    [Fact]
    public void Typing_BadFlapDampingValues_MessagesBesideTheirFields_FromTheOneValidator()
    {
        var form = Render<VhidEdit>();

        Flap(form, "halfLifeSeconds").Input(new ChangeEventArgs { Value = "0" });
        Flap(form, "reuseThreshold").Input(new ChangeEventArgs { Value = "5000" });

        Assert.Equal(["flapDamping.halfLifeSeconds must be between 1 and 3600 (got '0')"], FlapMessages(form, "halfLifeSeconds"));
        Assert.Equal(["flapDamping.reuseThreshold must be below the suppress threshold 3000 (got '5000')"], FlapMessages(form, "reuseThreshold"));
        Assert.Contains("invalid", Flap(form, "reuseThreshold").ParentElement!.ClassList);
        Assert.Empty(FlapMessages(form, "penalty"));
        // The defaults are in the fields, the ranges in the hints.
        Assert.Equal("1000", Flap(form, "penalty").GetAttribute("value"));
        Assert.Contains("1–3600 s", Flap(form, "halfLifeSeconds").ParentElement!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Submit_FlapDampingOffAndShortHalfLife_SavedAndShownOnEdit()
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("/vhids/new");
        var form = Render<VhidEdit>();
        Type(form, "interface", "eth-test0");
        Type(form, "vhid", "7");
        Type(form, "vip", "198.18.7.1");
        Type(form, "password", "carp-secret");
        form.Find("input[name='flapDamping.enabled']").Change(new ChangeEventArgs { Value = false });
        Flap(form, "halfLifeSeconds").Input(new ChangeEventArgs { Value = "2" });

        form.Find("form").Submit();

        form.WaitForAssertion(() => Assert.Equal("http://localhost/", navigation.Uri), TestTimeouts.Default);
        var saved = Assert.Single(Vhids.List());
        Assert.Equal((false, 2, 3000), (saved.FlapDamping.Enabled, saved.FlapDamping.HalfLifeSeconds, saved.FlapDamping.SuppressThreshold));
        var edit = Render<VhidEdit>(p => p.Add(c => c.Id, saved.Id));
        Assert.Equal("2", Flap(edit, "halfLifeSeconds").GetAttribute("value"));
        Assert.False(edit.Find("input[name='flapDamping.enabled']").HasAttribute("checked"));
    }

    private static AngleSharp.Dom.IElement Flap(IRenderedComponent<VhidEdit> form, string member) =>
        form.Find($"input[name='flapDamping.{member}']");

    private static List<string> FlapMessages(IRenderedComponent<VhidEdit> form, string member) =>
        Flap(form, member).ParentElement!.QuerySelectorAll(".validation-message").Select(m => m.TextContent).ToList();

    [Fact]
    public void Edit_UnknownId_SaysNotFound()
    {
        var form = Render<VhidEdit>(p => p.Add(c => c.Id, 999));

        Assert.Contains("No VHID with id 999", form.Markup, StringComparison.Ordinal);
        Assert.Empty(form.FindAll("form"));
    }
}
