using Appliance.Engine.StateMachine;
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
}
