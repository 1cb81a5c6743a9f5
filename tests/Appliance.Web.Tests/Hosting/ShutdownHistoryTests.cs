using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Hosting;

/// <summary>The real engine's shutdown transitions reach the history before the host stops.</summary>
public sealed class ShutdownHistoryTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Stop_LoneMaster_ShutdownTransitionInHistoryAfterRestart(int advbase)
    {
        using var data = new TempDirectory();
        var first = await TestHost.StartAsync(new TestHostOptions { DataDirectory = data.Path });
        await using (first)
        {
            using var client = await first.CreateAuthenticatedClientAsync();
            await Json.CreateVhidAsync(client, Json.Vhid(advbase: advbase, advskew: 10));
            await Eventually.TrueAsync(async () =>
                (await client.GetFromJsonAsync<JsonArray>("/api/status"))!.Any(s => s!["state"]!.GetValue<string>() == "MASTER"),
                "the lone node to become MASTER", TimeSpan.FromSeconds(15));
            await first.StopAsync();
        }

        await using var second = await TestHost.StartAsync(new TestHostOptions { DataDirectory = data.Path });
        using var again = await second.CreateAuthenticatedClientAsync();
        var history = (await again.GetFromJsonAsync<JsonArray>("/api/history?vhid=7"))!;
        Assert.Contains(history, h => h!["from"]!.GetValue<string>() == "MASTER" && h["to"]!.GetValue<string>() == "BACKUP"
            && h["cause"]!.GetValue<string>() == "shutdown");
    }
}
