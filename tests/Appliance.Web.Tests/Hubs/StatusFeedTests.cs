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
}
