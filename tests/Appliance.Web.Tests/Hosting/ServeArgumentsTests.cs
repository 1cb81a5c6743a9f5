using Appliance.Web.Hosting;
using Microsoft.Extensions.Configuration;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Hosting;

public sealed class ServeArgumentsTests
{
    [Fact]
    public void TryParse_NoArguments_DefaultsToLoopback8080AndDataDirectory()
    {
        Assert.True(ServeArguments.TryParse([], out var parsed, out _));
        Assert.Null(parsed.Urls);
        Assert.Equal("http://127.0.0.1:8080", EnvironmentSettings.ResolveUrls(parsed.Urls, new ConfigurationBuilder().Build(), out _));
        Assert.Null(parsed.DataDirectory);
        Assert.Equal("data", new ApplianceOptions().DataDirectory);
    }

    [Fact]
    public void TryParse_UrlsAndData_BothForms_Parsed()
    {
        Assert.True(ServeArguments.TryParse(["--urls", "http://0.0.0.0:9000", "--data=/var/lib/appliance"], out var parsed, out _));
        Assert.Equal("http://0.0.0.0:9000", parsed.Urls);
        Assert.Equal("/var/lib/appliance", parsed.DataDirectory);
    }

    [Theory]
    [InlineData("--port", "unknown argument '--port'")]
    [InlineData("--urls", "--urls needs a value")]
    public void TryParse_BadArgument_FailsWithMessage(string argument, string message)
    {
        Assert.False(ServeArguments.TryParse([argument], out _, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_UrlNotHttp_FailsNamingUrls()
    {
        Assert.False(ServeArguments.TryParse(["--urls", "ftp://x"], out _, out var error));
        Assert.Contains("--urls", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Appliance:LoginPermitLimit", "0", "Appliance:LoginPermitLimit")]
    [InlineData("Appliance:TokenLifetime", "-00:01:00", "Appliance:TokenLifetime")]
    [InlineData("Appliance:LoginWindow", "soon", "Appliance:LoginWindow")]
    [InlineData("APPLIANCE_ADMIN_PASSWORD", "short", "APPLIANCE_ADMIN_PASSWORD")]
    public async Task Start_BadConfiguration_StopsNamingTheField(string key, string value, string named)
    {
        var options = new TestHostOptions
        {
            AdminPassword = key == "APPLIANCE_ADMIN_PASSWORD" ? value : TestHost.AdminPassword,
            Configuration = key == "APPLIANCE_ADMIN_PASSWORD" ? new Dictionary<string, string?>() : new Dictionary<string, string?> { [key] = value },
        };

        var error = await Assert.ThrowsAsync<ApplianceConfigurationException>(() => TestHost.StartAsync(options));

        Assert.Contains(error.Errors, e => e.Contains(named, StringComparison.Ordinal));
    }
}
