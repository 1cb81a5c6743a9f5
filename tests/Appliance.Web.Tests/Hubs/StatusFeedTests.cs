using System.Net.Http.Json;
using Appliance.Engine.StateMachine;
using Microsoft.Extensions.Logging.Testing;
using Appliance.Web.Services;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Hubs;

public sealed class StatusFeedTests
{
    [Fact]
    public async Task StatusFeed_EngineTransition_RaisedInProcessWithHistoryId()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions { UseFakeEngine = true });
        using var client = await host.CreateAuthenticatedClientAsync();
        await Json.CreateVhidAsync(client, Json.Vhid());
        var feed = host.Services.GetRequiredService<StatusFeed>();
        var transition = new TaskCompletionSource<TransitionDto>(TaskCreationOptions.RunContinuationsAsynchronously);
        var status = new TaskCompletionSource<VhidStatusDto>(TaskCreationOptions.RunContinuationsAsynchronously);
        feed.Transition += _ => throw new InvalidOperationException("a broken subscriber");
        feed.Transition += t => transition.TrySetResult(t);
        feed.Status += s => status.TrySetResult(s);

        host.Engine!.RaiseTransition("eth-test0/7", CarpState.Master, TransitionCause.Preempt);

        var received = await transition.Task.WaitAsync(TestHost.Timeout);
        Assert.Equal("MASTER", received.To);
        Assert.True(received.Id > 0);
        Assert.Equal("MASTER", (await status.Task.WaitAsync(TestHost.Timeout)).State);
    }

    [Fact]
    public async Task StatusFeed_EventsLost_LoggedAsAnErrorNamingTheLostTransitions_NextTransitionStillRecorded()
    {
        var logs = new FakeLogCollector();
        await using var host = await TestHost.StartAsync(new TestHostOptions
        {
            UseFakeEngine = true,
            Services = s => s.AddSingleton<ILoggerProvider>(new FakeLoggerProvider(logs)),
        });
        using var client = await host.CreateAuthenticatedClientAsync();
        await Json.CreateVhidAsync(client, Json.Vhid());
        var feed = host.Services.GetRequiredService<StatusFeed>();
        var transition = new TaskCompletionSource<TransitionDto>(TaskCreationOptions.RunContinuationsAsynchronously);
        feed.Transition += t => transition.TrySetResult(t);

        host.Engine!.RaiseEventsLost(transitions: 3, others: 40);
        host.Engine.RaiseTransition("eth-test0/7", CarpState.Master, TransitionCause.Preempt);

        Assert.True((await transition.Task.WaitAsync(TestHost.Timeout)).Id > 0);
        var lost = Assert.Single(logs.GetSnapshot(), l => l.Category == typeof(StatusFeed).FullName && l.Message.StartsWith("The status feed fell behind", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, lost.Level);
        Assert.Equal("The status feed fell behind the engine: 3 transitions and 40 other events were dropped; the history misses those transitions", lost.Message);
    }

    [Fact]
    public async Task StatusFeed_SplitBrain_StatusWhileItLastsThenHistoryEntryAndCount()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions { UseFakeEngine = true });
        using var client = await host.CreateAuthenticatedClientAsync();
        await Json.CreateVhidAsync(client, Json.Vhid());
        var feed = host.Services.GetRequiredService<StatusFeed>();
        var seen = new TaskCompletionSource<VhidStatusDto>(TaskCreationOptions.RunContinuationsAsynchronously);
        var entry = new TaskCompletionSource<TransitionDto>(TaskCreationOptions.RunContinuationsAsynchronously);
        feed.Status += s => { if (s.SplitBrain is not null) { seen.TrySetResult(s); } };
        feed.Transition += t => entry.TrySetResult(t);

        host.Engine!.RaiseSplitBrain("eth-test0/7", System.Net.IPAddress.Parse("198.18.0.3"), resolved: false);
        Assert.Equal("198.18.0.3", (await seen.Task.WaitAsync(TestHost.Timeout)).SplitBrain!.OtherMaster);
        host.Engine.RaiseSplitBrain("eth-test0/7", System.Net.IPAddress.Parse("198.18.0.3"), resolved: true);

        var stored = await entry.Task.WaitAsync(TestHost.Timeout);
        Assert.Equal(("splitBrain", "splitBrain"), (stored.Kind, stored.Cause));
        Assert.Equal("split brain: another MASTER (198.18.0.3) seen; resolved", stored.LogLine);
        Assert.True(stored.Id > 0);
        Assert.Equal(1, feed.Totals("eth-test0/7").SplitBrains);
        Assert.Null(feed.Get("eth-test0/7")!.SplitBrain);
    }

    [Fact]
    public async Task StatusFeed_CarrierLostAndBack_HistoryEntriesAndCarrierInTheApi()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions { UseFakeEngine = true });
        using var client = await host.CreateAuthenticatedClientAsync();
        await Json.CreateVhidAsync(client, Json.Vhid());
        var feed = host.Services.GetRequiredService<StatusFeed>();
        var entries = System.Threading.Channels.Channel.CreateUnbounded<TransitionDto>();
        var noCarrier = new TaskCompletionSource<VhidStatusDto>(TaskCreationOptions.RunContinuationsAsynchronously);
        feed.Transition += t => entries.Writer.TryWrite(t);
        feed.Status += s => { if (!s.Carrier) { noCarrier.TrySetResult(s); } };
        host.Engine!.RaiseTransition("eth-test0/7", CarpState.Backup, TransitionCause.Startup);
        Assert.Equal("startup", (await entries.Reader.ReadAsync().AsTask().WaitAsync(TestHost.Timeout)).Cause);

        host.Engine.RaiseCarrier("eth-test0/7", up: false);

        var lost = await entries.Reader.ReadAsync().AsTask().WaitAsync(TestHost.Timeout);
        Assert.Equal(("carrierLost", "linkDown", "BACKUP", "BACKUP"), (lost.Kind, lost.Cause, lost.From, lost.To));
        Assert.Equal("Carrier lost on eth-test0: no adverts are sent or heard, BACKUP until it returns", lost.LogLine);
        Assert.True(lost.Id > 0);
        Assert.False((await noCarrier.Task.WaitAsync(TestHost.Timeout)).Carrier);
        var status = await Json.ReadAsync(await client.GetAsync("/api/status"));
        Assert.False(status[0]!["carrier"]!.GetValue<bool>());

        host.Engine.RaiseCarrier("eth-test0/7", up: true);

        var back = await entries.Reader.ReadAsync().AsTask().WaitAsync(TestHost.Timeout);
        Assert.Equal(("carrierRestored", "Carrier back on eth-test0"), (back.Kind, back.LogLine));
        Assert.True(feed.Get("eth-test0/7")!.Carrier);
        var history = await Json.ReadAsync(await client.GetAsync("/api/history?vhid=7"));
        Assert.Equal(["carrierRestored", "carrierLost", "transition"], history.AsArray().Select(e => e!["kind"]!.GetValue<string>()));
        status = await Json.ReadAsync(await client.GetAsync("/api/status"));
        Assert.True(status[0]!["carrier"]!.GetValue<bool>());
    }

    [Fact]
    public async Task StatusFeed_MaintenanceHandoverAndTakeBack_MarkedInTheHistoryButNotALaterPreempt()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions { UseFakeEngine = true });
        using var client = await host.CreateAuthenticatedClientAsync();
        var id = (await Json.CreateVhidAsync(client, Json.Vhid()))["id"]!.GetValue<int>();
        var feed = host.Services.GetRequiredService<StatusFeed>();
        var entries = System.Threading.Channels.Channel.CreateUnbounded<TransitionDto>();
        var statuses = System.Threading.Channels.Channel.CreateUnbounded<VhidStatusDto>();
        feed.Transition += t => entries.Writer.TryWrite(t);
        feed.Status += s => statuses.Writer.TryWrite(s);
        var engine = host.Engine!;
        async Task<TransitionDto> Raise(CarpState to, TransitionCause cause)
        {
            engine.RaiseTransition("eth-test0/7", to, cause);
            return await entries.Reader.ReadAsync().AsTask().WaitAsync(TestHost.Timeout);
        }
        async Task Maintenance(bool on)
        {
            using var response = on ? await client.PostAsync($"/api/vhids/{id}/maintenance", null) : await client.DeleteAsync($"/api/vhids/{id}/maintenance");
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}");
            // The feed has seen the status once it raises it.
            while ((await statuses.Reader.ReadAsync().AsTask().WaitAsync(TestHost.Timeout)).Maintenance != on)
            {
            }
        }

        Assert.False((await Raise(CarpState.Master, TransitionCause.MasterDownTimeout)).Maintenance);
        await Maintenance(true);
        var handover = await Raise(CarpState.Backup, TransitionCause.AdminAction);
        await Maintenance(false);
        var takeBack = await Raise(CarpState.Master, TransitionCause.Preempt);
        Assert.False((await Raise(CarpState.Backup, TransitionCause.BetterMasterSeen)).Maintenance);
        var later = await Raise(CarpState.Master, TransitionCause.Preempt);

        Assert.True(handover.Maintenance);
        Assert.True(takeBack.Maintenance);
        Assert.False(later.Maintenance);
        // Stored: the history page reads the flag back.
        var history = await Json.ReadAsync(await client.GetAsync("/api/history?vhid=7"));
        Assert.Equal([false, false, true, true, false], history.AsArray().Select(e => e!["maintenance"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task StatusFeed_PreemptBeforeTheMaintenanceOffStatus_StillTheEndOfMaintenance()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions { UseFakeEngine = true });
        using var client = await host.CreateAuthenticatedClientAsync();
        await Json.CreateVhidAsync(client, Json.Vhid());
        var feed = host.Services.GetRequiredService<StatusFeed>();
        var entries = System.Threading.Channels.Channel.CreateUnbounded<TransitionDto>();
        var inMaintenance = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        feed.Transition += t => entries.Writer.TryWrite(t);
        feed.Status += s => { if (s.Maintenance) { inMaintenance.TrySetResult(); } };
        var engine = host.Engine!;
        engine.RaiseTransition("eth-test0/7", CarpState.Backup, TransitionCause.Startup);
        engine.SetMaintenance("eth-test0/7", true);
        await inMaintenance.Task.WaitAsync(TestHost.Timeout);

        // The engine's preempt overtook the status that says maintenance is off.
        engine.RaiseTransition("eth-test0/7", CarpState.Master, TransitionCause.Preempt);

        Assert.Equal("startup", (await entries.Reader.ReadAsync().AsTask().WaitAsync(TestHost.Timeout)).Cause);
        Assert.True((await entries.Reader.ReadAsync().AsTask().WaitAsync(TestHost.Timeout)).Maintenance);
    }

    [Fact]
    public async Task StatusFeed_FlapDamping_StatusWhileSuppressed_HistoryEntriesAtStartAndEnd_Counted()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions { UseFakeEngine = true });
        using var client = await host.CreateAuthenticatedClientAsync();
        await Json.CreateVhidAsync(client, Json.Vhid());
        var feed = host.Services.GetRequiredService<StatusFeed>();
        var seen = new TaskCompletionSource<VhidStatusDto>(TaskCreationOptions.RunContinuationsAsynchronously);
        var entries = new System.Collections.Concurrent.ConcurrentQueue<TransitionDto>();
        feed.Status += s => { if (s.Flapping is { Suppressed: true }) { seen.TrySetResult(s); } };
        feed.Transition += entries.Enqueue;

        const string SuppressedLine = "flapping suppressed: 4 transitions in 3.2 s; holding BACKUP (penalty 3155 above 3000)";
        host.Engine!.RaiseFlap("eth-test0/7", suppressed: true, penalty: 3155.42, SuppressedLine);
        var status = await seen.Task.WaitAsync(TestHost.Timeout);
        Assert.Equal(3155.4, status.Flapping!.Penalty);
        Assert.NotNull(status.Flapping.Since);
        var api = (await client.GetFromJsonAsync<System.Text.Json.Nodes.JsonArray>("/api/status"))!.Single()!["flapping"]!;
        Assert.True(api["suppressed"]!.GetValue<bool>());
        Assert.Equal(3155.4, api["penalty"]!.GetValue<double>());
        Assert.NotNull(api["since"]);
        host.Engine.RaiseFlap("eth-test0/7", suppressed: false, penalty: 750, "flapping released after 6.1 s: penalty decayed to the reuse threshold 750");

        await Eventually.TrueAsync(() => entries.Count == 2, "two history entries", TestHost.Timeout);
        var list = entries.ToList();
        Assert.Equal(("flapSuppressed", "flapDamping", SuppressedLine), (list[0].Kind, list[0].Cause, list[0].LogLine));
        Assert.Equal(("flapReleased", "flapDamping"), (list[1].Kind, list[1].Cause));
        Assert.All(list, e => Assert.True(e.Id > 0));
        Assert.Equal(1, feed.Totals("eth-test0/7").FlapSuppressions);
        Assert.False(feed.Get("eth-test0/7")!.Flapping!.Suppressed);
        var history = await client.GetFromJsonAsync<System.Text.Json.Nodes.JsonArray>("/api/history");
        Assert.Contains(history!, h => h!["kind"]!.GetValue<string>() == "flapSuppressed" && h["logLine"]!.GetValue<string>() == SuppressedLine);
    }
}
