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
}
