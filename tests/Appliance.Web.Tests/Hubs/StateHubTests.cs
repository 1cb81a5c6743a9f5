using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Engine.StateMachine;
using Appliance.Web.Hubs;
using Appliance.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Appliance.Web.Tests.Hubs;

public sealed class StateHubTests
{
    [Fact]
    public async Task Hub_RealEngineLoneVhidBecomesMaster_PushesTransitionAsText()
    {
        // Real CarpEngine over the in-memory data plane: no packet leaves the process.
        await using var host = await TestHost.StartAsync();
        using var client = await host.CreateAuthenticatedClientAsync();
        var token = await host.GetTokenAsync();
        await using var connection = Connect(host, token);
        var master = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        var masterStatus = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<JsonElement>(nameof(IStateClient.Transition), t =>
        {
            if (t.GetProperty("to").GetString() == "MASTER")
            {
                master.TrySetResult(t);
            }
        });
        connection.On<JsonElement>(nameof(IStateClient.Status), s =>
        {
            if (s.GetProperty("state").GetString() == "MASTER")
            {
                masterStatus.TrySetResult(s);
            }
        });
        await connection.StartAsync().WaitAsync(TestHost.Timeout);

        // advbase 0, advskew 10: master-down is 3 x 39 ms, so a lone node is MASTER within a fraction of a second.
        await Json.CreateVhidAsync(client, Json.Vhid(advbase: 0, advskew: 10));

        var transition = await master.Task.WaitAsync(TestHost.Timeout);
        Assert.Equal("eth-test0/7", transition.GetProperty("key").GetString());
        Assert.Equal("BACKUP", transition.GetProperty("from").GetString());
        Assert.Equal("masterDownTimeout", transition.GetProperty("cause").GetString());
        Assert.Contains("MASTER", transition.GetProperty("logLine").GetString(), StringComparison.Ordinal);
        var status = await masterStatus.Task.WaitAsync(TestHost.Timeout);
        Assert.Equal(CarpTiming.MasterDown(0, 10, 3).TotalMilliseconds, status.GetProperty("masterDownMs").GetDouble());

        // The engine itself added the VIP with its prefix length and announced it.
        Assert.Equal(24, host.DataPlane.Addresses[("eth-test0", System.Net.IPAddress.Parse("198.18.7.1"))]);
        Assert.Contains(host.DataPlane.GratuitousArps, g => g.Address.ToString() == "198.18.7.1");
        Assert.NotEmpty(host.DataPlane.SentPackets);

        var history = await client.GetFromJsonAsync<JsonArray>("/api/history?vhid=7");
        Assert.Equal("MASTER", history![0]!["to"]!.GetValue<string>());
        Assert.Equal(transition.GetProperty("id").GetInt64(), history[0]!["id"]!.GetValue<long>());
        var statusApi = await client.GetFromJsonAsync<JsonArray>("/api/status");
        Assert.Equal("MASTER", statusApi![0]!["state"]!.GetValue<string>());
        Assert.True(statusApi[0]!["counters"]!["advertsSent"]!.GetValue<long>() > 0);
    }

    [Fact]
    public async Task Hub_EngineTransition_PushedToEveryAuthenticatedConnection()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions { UseFakeEngine = true });
        using var client = await host.CreateAuthenticatedClientAsync();
        await Json.CreateVhidAsync(client, Json.Vhid());
        var received = new[] { NewSource(), NewSource() };
        var connections = new List<HubConnection>();
        try
        {
            foreach (var source in received)
            {
                var connection = Connect(host, await host.GetTokenAsync());
                connection.On<JsonElement>(nameof(IStateClient.Transition), t => source.TrySetResult(t));
                await connection.StartAsync().WaitAsync(TestHost.Timeout);
                connections.Add(connection);
            }

            host.Engine!.RaiseTransition("eth-test0/7", CarpState.Master, TransitionCause.Preempt);

            foreach (var source in received)
            {
                var transition = await source.Task.WaitAsync(TestHost.Timeout);
                Assert.Equal("MASTER", transition.GetProperty("to").GetString());
                Assert.Equal("preempt", transition.GetProperty("cause").GetString());
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync().AsTask().WaitAsync(TestHost.Timeout);
            }
        }
    }

    [Fact]
    public async Task Hub_WithoutToken_RefusesConnection()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions { UseFakeEngine = true });
        await using var connection = new HubConnectionBuilder().WithUrl(new Uri(host.BaseAddress, StateHub.Path)).Build();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync().WaitAsync(TestHost.Timeout));
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task Hub_GetStatus_ReturnsSnapshotWithTextStates()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions { UseFakeEngine = true });
        using var client = await host.CreateAuthenticatedClientAsync();
        await Json.CreateVhidAsync(client, Json.Vhid());
        await using var connection = Connect(host, await host.GetTokenAsync());
        await connection.StartAsync().WaitAsync(TestHost.Timeout);

        var snapshot = await connection.InvokeAsync<JsonElement>(nameof(StateHub.GetStatus)).WaitAsync(TestHost.Timeout);

        Assert.Equal("INIT", snapshot[0].GetProperty("state").GetString());
    }

    private static TaskCompletionSource<JsonElement> NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static HubConnection Connect(TestHost host, string token) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(host.BaseAddress, StateHub.Path), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
}
