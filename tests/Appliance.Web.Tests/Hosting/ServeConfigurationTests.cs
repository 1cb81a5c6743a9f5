using Appliance.Engine.Transport;
using Appliance.Web.Auth;
using Appliance.Web.Hosting;
using Appliance.Web.Storage;
using Appliance.Web.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Appliance.Web.Tests.Hosting;

/// <summary>Tests that set process environment variables: no other test runs meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "process environment";
}

/// <summary>
/// Listen URLs and data directory through ASP.NET Core's providers, with the README's precedence: --urls, then
/// APPLIANCE_URLS, then ASPNETCORE_URLS, then http://127.0.0.1:8080; --data, then APPLIANCE_DATA, then
/// Appliance:DataDirectory. The variables are real process environment variables read by the real builder.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class ServeConfigurationTests : IDisposable
{
    private readonly Dictionary<string, string?> _saved = [];
    private readonly TempDirectory _data = new();

    [Fact]
    public void Urls_Precedence_FlagThenApplianceThenAspNetCoreThenDefault()
    {
        SetEnvironment(EnvironmentSettings.AspNetCoreUrls, "http://127.0.0.1:8082");
        SetEnvironment(EnvironmentSettings.Urls, "http://127.0.0.1:8081");
        Assert.Equal(["http://127.0.0.1:9"], UrlsOf(new ServeArguments("http://127.0.0.1:9", _data.Path)));
        Assert.Equal(["http://127.0.0.1:8081"], UrlsOf(new ServeArguments(DataDirectory: _data.Path)));

        SetEnvironment(EnvironmentSettings.Urls, null);
        Assert.Equal(["http://127.0.0.1:8082"], UrlsOf(new ServeArguments(DataDirectory: _data.Path)));

        SetEnvironment(EnvironmentSettings.AspNetCoreUrls, null);
        SetEnvironment(EnvironmentSettings.Urls, " ");
        Assert.Equal([ApplianceOptions.DefaultUrls], UrlsOf(new ServeArguments(DataDirectory: _data.Path)));
    }

    [Fact]
    public void DataDirectory_Precedence_FlagThenApplianceDataThenOption()
    {
        var flag = Path.Combine(_data.Path, "flag");
        var variable = Path.Combine(_data.Path, "variable");
        SetEnvironment("Appliance__DataDirectory", Path.Combine(_data.Path, "option"));
        SetEnvironment(EnvironmentSettings.Data, variable);

        Assert.Equal(flag, OptionsOf(new ServeArguments(DataDirectory: flag)).DataDirectory);
        Assert.Equal(variable, OptionsOf(new ServeArguments()).DataDirectory);

        SetEnvironment(EnvironmentSettings.Data, null);
        Assert.Equal(Path.Combine(_data.Path, "option"), OptionsOf(new ServeArguments()).DataDirectory);
    }

    [Theory]
    [InlineData(null, "ftp://x")]
    [InlineData("http://127.0.0.1:1;ftp://x", null)]
    public void Urls_NotHttp_StopsNamingTheFieldAndItsSources(string? flag, string? variable)
    {
        SetEnvironment(EnvironmentSettings.Urls, variable);

        var error = Assert.Throws<ApplianceConfigurationException>(() => Create(new ServeArguments(flag, _data.Path)));

        Assert.Equal(["urls (--urls, APPLIANCE_URLS, ASPNETCORE_URLS): 'ftp://x' is not an http:// or https:// URL."], error.Errors);
    }

    [Fact]
    public void AllowHttp_ApplianceAllowHttpVariable_AllowsPlainHttpOffLoopback()
    {
        SetEnvironment(EnvironmentSettings.AllowHttp, "true");
        // Built, not started: nothing binds 0.0.0.0.
        Assert.Equal(["http://0.0.0.0:8080"], UrlsOf(new ServeArguments("http://0.0.0.0:8080", _data.Path)));

        SetEnvironment(EnvironmentSettings.AllowHttp, null);
        var error = Assert.Throws<ApplianceConfigurationException>(() => Create(new ServeArguments("http://0.0.0.0:8080", _data.Path)));
        Assert.Contains("refusing plain HTTP on http://0.0.0.0:8080", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ApplianceUrlsAndDataWithoutFlags_ListensAndStoresThere()
    {
        SetEnvironment(EnvironmentSettings.Urls, "http://127.0.0.1:0");
        SetEnvironment(EnvironmentSettings.AspNetCoreUrls, "http://127.0.0.1:1");
        SetEnvironment(EnvironmentSettings.Data, _data.Path);
        await using (var app = Create(new ServeArguments()))
        {
            await app.StartAsync().WaitAsync(TestHost.Timeout);
            var address = app.Addresses.Single();
            Assert.Equal("127.0.0.1", address.Host);
            Assert.NotEqual(1, address.Port);
            using var client = new HttpClient { BaseAddress = address, Timeout = TestHost.Timeout };
            Assert.True((await client.GetAsync("/healthz")).IsSuccessStatusCode);
            await app.StopAsync().WaitAsync(TestHost.Timeout);
        }
        Assert.True(File.Exists(Path.Combine(_data.Path, LiteDbApplianceStore.FileName)));
    }

    [Theory]
    [InlineData("Appliance:LoginPermitLimit", "0", "Appliance:LoginPermitLimit")]
    [InlineData("Appliance:TokenLifetime", "-00:01:00", "Appliance:TokenLifetime")]
    [InlineData("Appliance:LoginWindow", "soon", "Appliance:LoginWindow")]
    [InlineData("Appliance:ScriptsDirectory", "scripts", "Appliance:ScriptsDirectory")]
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

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
        _data.Dispose();
    }

    private void SetEnvironment(string name, string? value)
    {
        _saved.TryAdd(name, Environment.GetEnvironmentVariable(name));
        Environment.SetEnvironmentVariable(name, value);
    }

    private static ApplianceWebApplication Create(ServeArguments arguments) => new(arguments, builder =>
    {
        builder.Configuration[ApplianceOptions.AdminPasswordVariable] = TestHost.AdminPassword;
        builder.Services.AddSingleton<IDataPlane>(new FakeDataPlane());
        builder.Services.AddSingleton(new AdminPasswordOutput(TextWriter.Null));
    });

    private static ApplianceOptions OptionsOf(ServeArguments arguments) =>
        Built(arguments, app => app.Services.GetRequiredService<IOptions<ApplianceOptions>>().Value);

    /// <summary>The addresses the server will bind (what the options resolved to).</summary>
    private static List<string> UrlsOf(ServeArguments arguments) => Built(arguments, app => app.App.Urls.ToList());

    private static T Built<T>(ServeArguments arguments, Func<ApplianceWebApplication, T> read)
    {
        var app = Create(arguments);
        try
        {
            return read(app);
        }
        finally
        {
            ((IDisposable)app.App).Dispose();
        }
    }
}
