using System.Text.Json.Serialization;
using Appliance.Engine.Health;
using Appliance.Engine.Hosting;
using Appliance.Engine.Platform.Linux;
using Appliance.Engine.Transport;
using Appliance.Web.Api;
using Appliance.Web.Auth;
using Appliance.Web.Hubs;
using Appliance.Web.Services;
using Appliance.Web.Storage;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Appliance.Web.Hosting;

/// <summary>
/// The whole web appliance: services, pipeline and endpoints. Tests construct it with a callback that
/// replaces services (the data plane) and configuration, and bind http://127.0.0.1:0.
/// </summary>
public sealed class ApplianceWebApplication : IAsyncDisposable
{
    /// <summary>Builds the app; bad configuration throws <see cref="ApplianceConfigurationException"/> naming each field.</summary>
    public ApplianceWebApplication(ServeArguments arguments, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = ApplicationName,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // After the defaults (appsettings.json, environment): APPLIANCE_URLS / APPLIANCE_DATA, then the flags.
        EnvironmentSettings.AddSources(builder.Configuration, arguments);
        // Request-level framework logs drown the transitions; warnings and up are enough.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        ConfigureServices(builder.Services);
        configure?.Invoke(builder);
        App = builder.Build();
        try
        {
            // Before the pipeline: building it already resolves options (data protection, rate limiter).
            ValidateConfiguration();
            foreach (var url in App.Services.GetRequiredService<IOptions<ApplianceOptions>>().Value.UrlList)
            {
                App.Urls.Add(url);
            }
        }
        catch
        {
            ((IDisposable)App).Dispose();
            throw;
        }
        ConfigurePipeline(App);
    }

    /// <summary>
    /// The product executable's assembly name (src/Appliance): its build writes the static web assets manifest
    /// (appliance.staticwebassets.*.json) that MapStaticAssets looks up by application name.
    /// </summary>
    public const string ApplicationName = "appliance";

    /// <summary>The DI key of the engine's <see cref="TimeProvider"/> (an <see cref="EngineTimeProvider"/>); the rest of the web uses the unkeyed one.</summary>
    public const string EngineClockKey = "engine";

    private InitialVhid? _initialVhid;

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>The bound addresses (with the real port when 0 was asked for), after start.</summary>
    public IReadOnlyList<Uri> Addresses =>
        App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.Select(a => new Uri(a)).ToList() ?? [];

    /// <summary>Creates the first admin, starts listening.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        App.Services.GetRequiredService<AdminBootstrapper>().EnsureAdmin();
        if (_initialVhid?.Input is { } seed)
        {
            var created = await App.Services.GetRequiredService<VhidService>().SeedAsync(seed, cancellationToken).ConfigureAwait(false);
            App.Logger.LogInformation("Created VHID {Key} from the APPLIANCE_* environment variables (first start).", created.Key);
        }
        else if (_initialVhid is { Ignored.Count: > 0 })
        {
            App.Logger.LogInformation(
                "VHIDs are already configured: ignoring {Variables} (they only seed the first start; use the dashboard or API).",
                string.Join(", ", _initialVhid.Ignored));
        }
        await App.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken = default) => App.StopAsync(cancellationToken);

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => App.WaitForShutdownAsync(cancellationToken);

    public ValueTask DisposeAsync() => App.DisposeAsync();

    private void ValidateConfiguration()
    {
        var errors = new List<string>();
        try
        {
            _ = App.Services.GetRequiredService<IOptions<ApplianceOptions>>().Value;
        }
        catch (OptionsValidationException ex)
        {
            errors.AddRange(ex.Failures);
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the key ("Failed to convert configuration value at 'Appliance:LoginWindow'").
            errors.Add(ex.Message);
        }
        if (AdminBootstrapper.ValidateConfiguration(App.Configuration) is { } adminError)
        {
            errors.Add(adminError);
        }
        if (errors.Count > 0)
        {
            throw new ApplianceConfigurationException(errors);
        }
        // Before the data plane and the store: a second process on DIR stops here, having changed nothing.
        var dataDirectory = App.Services.GetRequiredService<DataDirectoryLock>();
        try
        {
            _ = App.Services.GetRequiredService<IDataPlane>();
        }
        catch (PlatformException ex)
        {
            throw new ApplianceConfigurationException([$"data plane: {ex.Message} (the appliance needs root, or CAP_NET_RAW and CAP_NET_ADMIN)"]);
        }
        try
        {
            _ = App.Services.GetRequiredService<IApplianceStore>();
        }
        catch (StoreOpenException ex)
        {
            throw new ApplianceStartupException(ex.Message, ApplianceStartupException.ConfigurationError);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or LiteDB.LiteException)
        {
            var options = App.Services.GetRequiredService<IOptions<ApplianceOptions>>().Value;
            throw new ApplianceConfigurationException([$"{ApplianceOptions.SectionName}:{nameof(ApplianceOptions.DataDirectory)} (--data, APPLIANCE_DATA): cannot open the database in '{options.DataDirectory}': {ex.Message}"]);
        }
        // Before the URLs are added (that creates Kestrel, which takes its HTTPS certificate then).
        CertificateProvider.Load(App.Services.GetRequiredService<IOptions<ApplianceOptions>>().Value, App.Services.GetRequiredService<ServerCertificate>(),
            App.Logger, TimeProvider.System);
        dataDirectory.RestrictModes(App.Logger);
        _initialVhid = InitialVhid.Prepare(App.Configuration, App.Services.GetRequiredService<IApplianceStore>(), App.Services.GetRequiredService<VhidValidator>());
        if (_initialVhid.Errors.Count > 0)
        {
            throw new ApplianceConfigurationException(_initialVhid.Errors);
        }
    }

    private static void ConfigureServices(IServiceCollection services)
    {
        services.AddOptions<ApplianceOptions>().BindConfiguration(ApplianceOptions.SectionName)
            .Configure<IConfiguration>(EnvironmentSettings.Apply);
        services.AddSingleton<IValidateOptions<ApplianceOptions>, ApplianceOptionsValidator>();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => DataDirectoryLock.Acquire(
            sp.GetRequiredService<IOptions<ApplianceOptions>>().Value.DataDirectory, TimeProvider.System));
        services.AddSingleton(sp => new LiteDbApplianceStore(sp.GetRequiredService<DataDirectoryLock>().Directory));
        services.AddSingleton<IApplianceStore>(sp => sp.GetRequiredService<LiteDbApplianceStore>());

        // The engine manages the VIPs itself (netlink + gratuitous ARP). Tests replace IDataPlane.
        services.AddSingleton<IDataPlane>(_ => new LinuxDataPlane());
        // The engine's own clock: timers on a dedicated thread, so API load never delays an advert. Disposed with
        // the host (after the engine, which the container created later). Tests replace the keyed service.
        services.AddKeyedSingleton<TimeProvider>(EngineClockKey, (_, _) => new EngineTimeProvider());
        services.AddSingleton(sp => new CarpEngine(
            sp.GetRequiredService<IDataPlane>(), sp.GetRequiredKeyedService<TimeProvider>(EngineClockKey), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<ICarpEngine>(sp => sp.GetRequiredService<CarpEngine>());
        services.AddSingleton<IHealthProbe, HealthProbe>();
        services.AddSingleton(sp => new HealthMonitor(
            sp.GetRequiredService<ICarpEngine>(), sp.GetRequiredService<IHealthProbe>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<HealthMonitor>>()));
        services.AddSingleton<HealthService>();

        services.AddSingleton<AuditService>();
        services.AddSingleton<ScriptCatalog>();
        services.AddSingleton<VhidValidator>();
        services.AddSingleton<EngineConfigurator>();
        services.AddSingleton<VhidService>();
        services.AddSingleton<HistoryService>();
        services.AddSingleton<SettingsService>();
        // The feed first: hosted services start in this order (it subscribes before the first apply) and stop in reverse
        // (the engine's graceful stop is still recorded).
        services.AddSingleton<StatusFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<StatusFeed>());
        services.AddHostedService<EngineLifecycleService>();
        services.AddHostedService<HubPusher>();
        services.AddHostedService<HistoryTrimService>();
        services.AddHostedService<TokenExpiryService>();
        services.AddHostedService<AuditTrimService>();
        AddMetrics(services);
        services.AddSingleton(new AdminPasswordOutput(Console.Out));

        // Cookie and antiforgery keys live beside the database, so a login survives a restart.
        services.AddDataProtection();
        services.AddOptions<KeyManagementOptions>()
            .Configure<IOptions<ApplianceOptions>, ILoggerFactory>((keys, options, loggers) =>
                keys.XmlRepository = new FileSystemXmlRepository(KeyDirectory(options.Value.DataDirectory), loggers));

        services.AddApplianceAuth();
        services.AddHttpsSecurity();
        services.AddProblemDetails();
        services.AddApiDocumentation();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddSignalR().AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        AddDashboard(services);
    }

    /// <summary>
    /// The meter's instruments (<see cref="ApplianceMetrics"/>, timed on the engine's clock like the statuses they read),
    /// collected by OpenTelemetry and exported at /metrics in the Prometheus text format; /healthz through health checks.
    /// </summary>
    private static void AddMetrics(IServiceCollection services)
    {
        services.AddSingleton(sp => new ApplianceMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetRequiredService<StatusFeed>(), sp.GetRequiredKeyedService<TimeProvider>(EngineClockKey), sp.GetRequiredService<IOptions<ApplianceOptions>>()));
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("appliance"))
            .WithMetrics(metrics => metrics
            .AddMeter(ApplianceMetrics.MeterName)
            // Every VHID (up to 255 per interface) times every drop reason is one stream of appliance_drops_total.
            .AddView("appliance_drops_total", new MetricStreamConfiguration { CardinalityLimit = 16_384 })
            .AddPrometheusExporter(o =>
            {
                // A scrape shows the state now, not a copy up to 300 ms old.
                o.ScrapeResponseCacheDurationMilliseconds = 0;
            }));
        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store")
            .AddCheck<ApplyHealthCheck>("apply");
    }

    private static void MapMetrics(WebApplication app)
    {
        // Created now, so the instruments exist before the first scrape.
        app.Services.GetRequiredService<ApplianceMetrics>();
        app.MapPrometheusScrapingEndpoint(ApiDocumentation.MetricsPath).RequireAuthorization(Auth.AppliancePolicies.Viewer);
    }

    /// <summary>The data-protection keys (unencrypted XML) are as private as the database: 0700.</summary>
    private static DirectoryInfo KeyDirectory(string dataDirectory)
    {
        var path = Path.Combine(Path.GetFullPath(dataDirectory), "keys");
        return OperatingSystem.IsWindows()
            ? Directory.CreateDirectory(path)
            : Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static void ConfigurePipeline(WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseApiAntiforgery();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapApiDocumentation();
        app.MapHealthApi();
        MapMetrics(app);
        app.MapAuthApi();
        app.MapTokenApi();
        app.MapUserApi();
        app.MapVhidApi();
        app.MapImportApi();
        app.MapScriptApi();
        app.MapStatusApi();
        app.MapHistoryApi();
        app.MapAuditApi();
        app.MapSettingsApi();
        app.MapHub<StateHub>(StateHub.Path);
        MapDashboard(app);
    }

    // ---- Dashboard (Components/, top-level wwwroot/): UI block, kept together to ease merges ----

    private static void AddDashboard(IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddSingleton(sp => new Components.DashboardNode(
            sp.GetRequiredService<IOptions<ApplianceOptions>>().Value.NodeName is { Length: > 0 } name ? name : System.Net.Dns.GetHostName()));
        // A rate-limited form login goes back to the login page, which explains the wait; the token endpoint keeps its 429.
        services.PostConfigure<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>(o => o.OnRejected = (context, _) =>
        {
            if (context.HttpContext.Request.Path.StartsWithSegments("/account/login"))
            {
                context.HttpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
                context.HttpContext.Response.Headers.Location = "/login?error=ratelimited";
            }
            return ValueTask.CompletedTask;
        });
    }

    private static void MapDashboard(WebApplication app)
    {
        // CSS and the framework script are public (the login page needs them); every page requires a login.
        app.MapStaticAssets().Add(endpoint => endpoint.Metadata.Add(new Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute()));
        app.MapRazorComponents<Components.App>().AddInteractiveServerRenderMode().RequireAuthorization(Auth.AppliancePolicies.Viewer);
    }

    // ---- end of the dashboard block ----
}
