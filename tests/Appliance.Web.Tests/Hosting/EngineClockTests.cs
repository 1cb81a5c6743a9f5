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
        await using var host = await TestHost.StartAsync(new TestHostOptions { EngineClock = clock });
        using var client = await host.CreateAuthenticatedClientAsync();
        // advbase 30: master-down is 90 s, far beyond this test's patience on any real clock.
        await Json.CreateVhidAsync(client, Json.Vhid(advbase: 30, advskew: 0));
        await Eventually.TrueAsync(async () => await StateAsync(client) == "BACKUP", "BACKUP");

        clock.Advance(TimeSpan.FromSeconds(89.9));
        Assert.Equal("BACKUP", await StateAsync(client));

        clock.Advance(TimeSpan.FromSeconds(0.2));
        await Eventually.TrueAsync(async () => await StateAsync(client) == "MASTER", "MASTER after the fake clock passed master-down");
    }

    private static async Task<string?> StateAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonArray>("/api/status"))!.SingleOrDefault()?["state"]!.GetValue<string>();
}
