using Appliance.Engine.Transport;
using Appliance.Web.Auth;
using Appliance.Web.Hosting;
using Appliance.Web.Services;
using Microsoft.Extensions.Logging;

namespace Appliance.Browser.Tests.Infrastructure;

/// <summary>
/// The real appliance (real engine, real Kestrel on 127.0.0.1:0, a LiteDB file in a temp directory) over
/// the in-memory data plane, in the Development environment so the static web assets are served from
/// the build (docs/browser-tests.md, pitfall 1).
/// </summary>
public sealed class DashboardHost : IAsyncDisposable
{
    public const string AdminUser = "admin";
    public const string AdminPassword = "browser-admin-password";
    public static readonly TimeSpan Timeout = TestTimeouts.Default;

    private readonly string _dataDirectory;
    private readonly ScriptFolder _scripts;

    static DashboardHost()
    {
        // Read by WebApplication.CreateBuilder; set before the first host is built.
        Environment.SetEnvironmentVariable("ASPNETCORE_ENVIRONMENT", "Development");
    }

    private DashboardHost(ApplianceWebApplication app, string dataDirectory, ScriptFolder scripts, FakeDataPlane plane)
    {
        App = app;
        Plane = plane;
        _dataDirectory = dataDirectory;
        _scripts = scripts;
    }

    /// <summary>The host's Appliance:ScriptsDirectory, holding the scripts "true" (exit 0) and "false" (exit 1).</summary>
    public string ScriptsDirectory => _scripts.Path;

    public ApplianceWebApplication App { get; }

    /// <summary>The in-memory data plane the engine runs on (links can be pulled: <see cref="FakeDataPlane.SetLink"/>).</summary>
    public FakeDataPlane Plane { get; }

    public string BaseUrl => App.Addresses.Single().ToString().TrimEnd('/');

    public VhidService Vhids => App.Services.GetRequiredService<VhidService>();

    public TokenService Tokens => App.Services.GetRequiredService<TokenService>();

    public static async Task<DashboardHost> StartAsync(IReadOnlyDictionary<string, string?>? configuration = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "appliance-browser-tests", Guid.NewGuid().ToString("N"));
        var scripts = new ScriptFolder();
        var plane = new FakeDataPlane();
        scripts.Install("true", "exit 0");
        scripts.Install("false", "exit 1");
        var app = new ApplianceWebApplication(new ServeArguments("http://127.0.0.1:0", dataDirectory), builder =>
        {
            builder.Configuration[ApplianceOptions.AdminPasswordVariable] = AdminPassword;
            builder.Configuration["Appliance:ScriptsDirectory"] = scripts.Path;
            foreach (var (key, value) in configuration ?? new Dictionary<string, string?>())
            {
                builder.Configuration[key] = value;
            }
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddSingleton<IDataPlane>(plane);
            builder.Services.AddSingleton(new AdminPasswordOutput(TextWriter.Null));
        });
        var host = new DashboardHost(app, dataDirectory, scripts, plane);
        try
        {
            await app.StartAsync().WaitAsync(Timeout);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    /// <summary>Creates a VHID through the same service the form uses (for tests that need one ready).</summary>
    public async Task<VhidDto> AddVhidAsync(
        int vhid, string vip, int advbase = 0, int advskew = 10, string iface = "eth-test0", List<CheckInput>? checks = null)
    {
        var result = await Vhids.CreateAsync(new VhidInput
        {
            Interface = iface,
            Vhid = vhid,
            AdvBase = advbase,
            AdvSkew = advskew,
            Password = "secret",
            Vip = vip,
            PrefixLength = 24,
            Checks = checks,
        }, "test", CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(ServiceStatus.Ok, result.Status);
        return result.Value!;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await App.StopAsync().WaitAsync(Timeout);
        }
        finally
        {
            await App.DisposeAsync().AsTask().WaitAsync(Timeout);
            if (Directory.Exists(_dataDirectory))
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            _scripts.Dispose();
        }
    }
}
