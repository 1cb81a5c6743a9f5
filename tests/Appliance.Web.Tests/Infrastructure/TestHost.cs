using System.Net.Http.Headers;
using System.Net.Http.Json;
using Appliance.Engine.Hosting;
using Appliance.Engine.Transport;
using Appliance.Web.Auth;
using Appliance.Web.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Web.Tests.Infrastructure;

public sealed record TestHostOptions
{
    /// <summary>Reuse a data directory (restart tests); null creates a fresh temp directory owned by the host.</summary>
    public string? DataDirectory { get; init; }
    /// <summary>Replace the engine with <see cref="FakeCarpEngine"/> so the test can raise events.</summary>
    public bool UseFakeEngine { get; init; }
    /// <summary>APPLIANCE_ADMIN_PASSWORD as configuration; null leaves it unset (generated password).</summary>
    public string? AdminPassword { get; init; } = TestHost.AdminPassword;
    public IReadOnlyDictionary<string, string?> Configuration { get; init; } = new Dictionary<string, string?>();
    /// <summary>Extra service replacements, applied last.</summary>
    public Action<IServiceCollection>? Services { get; init; }
    /// <summary>
    /// The engine's clock; null keeps the real <see cref="EngineTimeProvider"/>. A test advances it to check what
    /// must not happen however long; the host keeps it moving while it stops (a MASTER's bow-out waits on it).
    /// </summary>
    public FakeTimeProvider? EngineClock { get; init; }
}

/// <summary>
/// The real appliance on real Kestrel (http://127.0.0.1:0) with a real LiteDB file in a temp directory
/// and the in-memory data plane, so nothing is ever sent on a real interface.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    public const string AdminPassword = "test-admin-password";
    public static readonly TimeSpan Timeout = TestTimeouts.Default;

    private readonly bool _ownsDirectory;
    private FakeTimeProvider? _engineClock;
    private bool _stopped;

    private TestHost(ApplianceWebApplication app, string dataDirectory, bool ownsDirectory, FakeDataPlane dataPlane, FakeCarpEngine? engine, StringWriter adminOutput)
    {
        App = app;
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
        DataPlane = dataPlane;
        Engine = engine;
        AdminOutput = adminOutput;
    }

    public ApplianceWebApplication App { get; }
    public string DataDirectory { get; }
    public FakeDataPlane DataPlane { get; }
    public FakeCarpEngine? Engine { get; }
    public StringWriter AdminOutput { get; }
    public Uri BaseAddress => App.Addresses.Single();
    public IServiceProvider Services => App.Services;

    public static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "appliance-web-tests", Guid.NewGuid().ToString("N"));

    public static async Task<TestHost> StartAsync(TestHostOptions? options = null)
    {
        options ??= new TestHostOptions();
        var ownsDirectory = options.DataDirectory is null;
        var dataDirectory = options.DataDirectory ?? NewDataDirectory();
        var dataPlane = new FakeDataPlane();
        var engine = options.UseFakeEngine ? new FakeCarpEngine() : null;
        var adminOutput = new StringWriter();
        ApplianceWebApplication app;
        try
        {
            app = Create(options, dataDirectory, dataPlane, engine, adminOutput);
        }
        catch when (ownsDirectory)
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            throw;
        }
        var host = new TestHost(app, dataDirectory, ownsDirectory, dataPlane, engine, adminOutput) { _engineClock = options.EngineClock };
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

    private static ApplianceWebApplication Create(
        TestHostOptions options, string dataDirectory, FakeDataPlane dataPlane, FakeCarpEngine? engine, StringWriter adminOutput) =>
        new(new ServeArguments("http://127.0.0.1:0", dataDirectory), builder =>
        {
            if (options.AdminPassword is not null)
            {
                builder.Configuration[ApplianceOptions.AdminPasswordVariable] = options.AdminPassword;
            }
            foreach (var (key, value) in options.Configuration)
            {
                builder.Configuration[key] = value;
            }
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddSingleton<IDataPlane>(dataPlane);
            builder.Services.AddSingleton(new AdminPasswordOutput(adminOutput));
            if (engine is not null)
            {
                builder.Services.AddSingleton<ICarpEngine>(engine);
            }
            if (options.EngineClock is { } clock)
            {
                builder.Services.AddKeyedSingleton<TimeProvider>(ApplianceWebApplication.EngineClockKey, clock);
            }
            options.Services?.Invoke(builder.Services);
        });

    public HttpClient CreateClient(HttpMessageHandler? handler = null) =>
        new(handler ?? new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress, Timeout = Timeout };

    public async Task<string> GetTokenAsync(string userName = "admin", string password = AdminPassword)
    {
        using var client = CreateClient();
        using var response = await client.PostAsJsonAsync("/api/auth/token", new { username = userName, password });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<TokenBody>();
        return body!.Token;
    }

    public async Task<HttpClient> CreateAuthenticatedClientAsync()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await GetTokenAsync());
        return client;
    }

    /// <summary>Stops and disposes the app (releasing the LiteDB file) but keeps the data directory.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        using var stopped = new CancellationTokenSource();
        var ticking = _engineClock is { } clock ? TickAsync(clock, stopped.Token) : Task.CompletedTask;
        try
        {
            await App.StopAsync().WaitAsync(Timeout);
        }
        finally
        {
            await stopped.CancelAsync();
            await ticking;
            await App.DisposeAsync().AsTask().WaitAsync(Timeout);
        }
    }

    /// <summary>Half a second of engine time every 20 ms, bounded, until cancelled.</summary>
    private static async Task TickAsync(FakeTimeProvider clock, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 1000 && !cancellationToken.IsCancellationRequested; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(500));
            await Task.Delay(20, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_ownsDirectory && Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    private sealed record TokenBody(string Token, DateTimeOffset ExpiresAt);
}
