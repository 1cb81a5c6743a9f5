using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Engine.Hosting;
using Appliance.Web.Hosting;
using Appliance.Web.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Web.Tests.Hosting;

/// <summary>The engine runs on its own clock (EngineTimeProvider); the web keeps TimeProvider.System; tests can swap the engine's.</summary>
public sealed class EngineClockTests
{
    [Fact]
    public async Task Default_EngineOnEngineTimeProvider_WebOnSystemClock()
    {
        await using var host = await TestHost.StartAsync();

        Assert.IsType<EngineTimeProvider>(host.Services.GetRequiredKeyedService<TimeProvider>(ApplianceWebApplication.EngineClockKey));
        Assert.Same(TimeProvider.System, host.Services.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public async Task FakeEngineClock_MasterDownOnlyWhenAdvanced()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestHost.StartAsync(new TestHostOptions
        {
            Services = s => s.AddKeyedSingleton<TimeProvider>(ApplianceWebApplication.EngineClockKey, clock),
        });
        using var client = await host.CreateAuthenticatedClientAsync();
        await Json.CreateVhidAsync(client, Json.Vhid(advbase: 1, advskew: 0));
        await Eventually.TrueAsync(async () => await StateAsync(client) == "BACKUP", "BACKUP");

        await Task.Delay(500);
        Assert.Equal("BACKUP", await StateAsync(client));

        clock.Advance(TimeSpan.FromSeconds(4));
        await Eventually.TrueAsync(async () => await StateAsync(client) == "MASTER", "MASTER after the fake clock passed master-down");

        // The MASTER's graceful stop waits for a peer on the engine's clock: keep it moving while the host stops.
        using var stopped = new CancellationTokenSource();
        var ticking = Task.Run(async () =>
        {
            for (var i = 0; i < 1000 && !stopped.IsCancellationRequested; i++)
            {
                clock.Advance(TimeSpan.FromMilliseconds(500));
                await Task.Delay(20);
            }
        });
        await host.StopAsync();
        await stopped.CancelAsync();
        await ticking.WaitAsync(TestHost.Timeout);
    }

    private static async Task<string?> StateAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonArray>("/api/status"))!.SingleOrDefault()?["state"]!.GetValue<string>();
}
