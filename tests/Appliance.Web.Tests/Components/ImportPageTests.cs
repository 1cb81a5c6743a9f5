using Appliance.Engine.Import;
using Appliance.Web.Components.Pages;
using Appliance.Web.Services;
using Appliance.Web.Tests.Infrastructure;
using Bunit;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Tests.Components;

/// <summary>The dashboard's import page reads no server file: a passfile gets the one fixed refusal, nothing is written.</summary>
public sealed class ImportPageTests : BunitContext, IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartAsync(new TestHostOptions { UseFakeEngine = true });
        Services.AddSingleton(_host.Services.GetRequiredService<VhidService>());
        Services.AddSingleton(_host.Services.GetRequiredService<ScriptCatalog>());
        AddAuthorization().SetAuthorized("admin");
    }

    async Task IAsyncLifetime.DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("preview")]
    [InlineData("run")]
    public void Passfile_ExistingOrMissing_SameFixedRefusalNothingImported(string button)
    {
        var messages = new List<string>();
        foreach (var path in new[] { Path.Combine(_host.DataDirectory, "appliance.db"), "/nonexistent/pass" })
        {
            var page = Render<Import>();
            page.Find("textarea[name=text]").Change(new ChangeEventArgs { Value = $"UCARP_INTERFACE=eth-test0\nUCARP_VHID=3\nUCARP_VIP=198.18.0.3\nUCARP_PASSFILE={path}\n" });
            page.Find($"[data-testid=import-{button}]").Click();
            messages.Add(page.Find("[data-testid=import-problem]").TextContent);
        }

        Assert.Equal([PasswordFiles.WebRefusal, PasswordFiles.WebRefusal], messages);
        Assert.Empty(_host.Services.GetRequiredService<VhidService>().List());
    }
}
