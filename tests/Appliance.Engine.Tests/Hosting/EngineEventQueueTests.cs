using System.Net;
using Appliance.Engine.Hosting;
using Appliance.Engine.Protocol;
using Appliance.Engine.StateMachine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Engine.Tests.Hosting;

/// <summary>A subscriber's buffer (docs/limits.md, Event stream): transitions never dropped before the hard limit, statuses coalesced only past the capacity, any loss announced.</summary>
public sealed class EngineEventQueueTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly VhidConfig[] Configs =
    [
        Config(1), Config(2), Config(3),
    ];

    private static VhidConfig Config(byte vhid) => new()
    {
        Interface = "veth0",
        Vhid = vhid,
        Password = "pw123",
        VirtualAddress = IPAddress.Parse($"198.18.0.{100 + vhid}"),
    };

    /// <summary>A transition numbered <paramref name="n"/> (in its At, to tell them apart).</summary>
    private static EngineEvent.Transitioned Transition(int n, byte vhid = 1) =>
        new(new TransitionRecord(T0.AddMilliseconds(n), $"veth0/{vhid}", "veth0", vhid, CarpState.Backup, CarpState.Master,
            TransitionCause.MasterDownTimeout, "Switching to state: MASTER"));

    /// <summary>A status numbered <paramref name="n"/> (in its Since).</summary>
    private static EngineEvent.StatusChanged Status(int n, int vhidIndex = 0)
    {
        var config = Configs[vhidIndex];
        return new(new VhidStatus(config.Key, config, CarpState.Master, T0.AddMilliseconds(n), null, VhidCounters.Empty, false, []));
    }

    private static int Number(EngineEvent e) => e switch
    {
        EngineEvent.Transitioned t => (int)(t.Transition.At - T0).TotalMilliseconds,
        EngineEvent.StatusChanged s => (int)(s.Status.Since - T0).TotalMilliseconds,
        _ => -1,
    };

    private static async Task<List<EngineEvent>> DrainAsync(EngineEventQueue queue)
    {
        queue.Complete();
        var read = new List<EngineEvent>();
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        while (await queue.ReadAsync(timeout.Token) is { } e)
        {
            read.Add(e);
        }
        return read;
    }

    [Fact]
    public async Task Write_10000EventsWith100TransitionsWhileNobodyReads_All100TransitionsReadInOrder()
    {
        var queue = new EngineEventQueue();
        var transitions = 0;
        for (var n = 0; n < 10_000; n++)
        {
            // Every 100th event a transition, the rest statuses of three VHIDs.
            queue.Write(n % 100 == 50 ? Transition(n) : Status(n, n % 3));
            transitions += n % 100 == 50 ? 1 : 0;
        }
        Assert.Equal(100, transitions);

        var read = await DrainAsync(queue);

        var numbers = read.OfType<EngineEvent.Transitioned>().Select(Number).ToList();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * 100 + 50), numbers);
        Assert.Empty(read.OfType<EngineEvent.EventsLost>());
        // Everything in the order written; each VHID's newest status is the last one read for it.
        Assert.Equal(read.Select(Number).Order(), read.Select(Number));
        for (var vhidIndex = 0; vhidIndex < 3; vhidIndex++)
        {
            var last = Enumerable.Range(0, 10_000).Last(n => n % 100 != 50 && n % 3 == vhidIndex);
            Assert.Equal(last, Number(read.OfType<EngineEvent.StatusChanged>().Last(s => s.Status.Key == Configs[vhidIndex].Key)));
        }
        // Bounded: the capacity, plus the transitions and one status per VHID past it.
        Assert.InRange(read.Count, EngineEventQueue.Capacity, EngineEventQueue.Capacity + 100 + 3);
        Assert.Equal(10_000 - read.Count, queue.Superseded);
    }

    [Fact]
    public async Task Write_BelowCapacity_EveryStatusKept()
    {
        var queue = new EngineEventQueue();
        for (var n = 0; n < EngineEventQueue.Capacity; n++)
        {
            queue.Write(Status(n));
        }

        var read = await DrainAsync(queue);

        Assert.Equal(Enumerable.Range(0, EngineEventQueue.Capacity), read.Select(Number));
        Assert.Equal(0, queue.Superseded);
    }

    [Fact]
    public async Task Write_PastCapacity_NewerStatusTakesTheOlderOnesPlaceAfterTheTransition()
    {
        var queue = new EngineEventQueue();
        for (var n = 0; n < EngineEventQueue.Capacity - 2; n++)
        {
            queue.Write(Status(n, vhidIndex: 1));
        }
        queue.Write(Status(10_000));
        queue.Write(Transition(10_001));

        queue.Write(Status(10_002));

        var read = await DrainAsync(queue);
        Assert.Equal([10_001, 10_002], read.Skip(EngineEventQueue.Capacity - 2).Select(Number));
        Assert.DoesNotContain(10_000, read.Select(Number));
    }

    [Fact]
    public async Task Write_PastHardLimit_OldestDroppedAndTheReaderToldHowMany()
    {
        var queue = new EngineEventQueue();
        const int written = EngineEventQueue.HardLimit + 1000;
        for (var n = 0; n < written; n++)
        {
            queue.Write(Transition(n));
        }

        var read = await DrainAsync(queue);

        Assert.Equal(new EngineEvent.EventsLost(1000, 0), read[0]);
        Assert.Equal(Enumerable.Range(1000, EngineEventQueue.HardLimit), read.Skip(1).Select(Number));
    }

    [Fact]
    public async Task ReadAsync_WaitsForTheNextEvent_EndsAfterCompleteAndDrain()
    {
        var queue = new EngineEventQueue();
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        var next = queue.ReadAsync(timeout.Token).AsTask();
        Assert.False(next.IsCompleted);

        queue.Write(Transition(1));
        Assert.Equal(1, Number((await next.WaitAsync(TestTimeouts.Default))!));
        queue.Write(Transition(2));
        queue.Complete();
        queue.Write(Transition(3));

        Assert.Equal(2, Number((await queue.ReadAsync(timeout.Token))!));
        Assert.Null(await queue.ReadAsync(timeout.Token));
    }

    [Fact]
    public async Task CarpEngine_SubscriberThatReadsNothingWhileAVhidFlaps_GetsEveryTransitionInOrder()
    {
        var time = new FakeTimeProvider();
        var plane = new FakeDataPlane("veth0");
        using var loggers = FakeLogs.Factory(new FakeLogCollector());
        var engine = new CarpEngine(plane, time, loggers);
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        var subscriber = engine.WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        // The first MoveNextAsync subscribes; it completes with the first event, the rest wait in the buffer.
        var first = subscriber.MoveNextAsync();
        var config = Config(1);
        var masterDown = CarpTiming.MasterDown(config.AdvBase, config.AdvSkew, config.DeadRatio);
        try
        {
            await engine.ApplyAsync([config], cts.Token);
            time.Advance(masterDown);
            const int cycles = 20;
            for (var cycle = 0; cycle < cycles; cycle++)
            {
                // 500 status events per cycle, then down to BACKUP (ucarp's SIGUSR2) and back to MASTER.
                for (var i = 0; i < 500; i++)
                {
                    engine.SetDemotion(config.Key, "test", i % 2 == 0 ? "flapping" : null);
                }
                engine.ForceBackup();
                time.Advance(TimeSpan.FromSeconds(3));
                time.Advance(masterDown);
                Assert.Equal(CarpState.Master, engine.Snapshot().Single().State);
            }

            var read = new List<EngineEvent>();
            Assert.True(await first);
            read.Add(subscriber.Current);
            // 2 start-up transitions, 2 per cycle, 10,000 statuses and more: well past the buffer's capacity.
            while (read.OfType<EngineEvent.Transitioned>().Count() < 2 + 2 * cycles && await subscriber.MoveNextAsync())
            {
                read.Add(subscriber.Current);
            }

            var transitions = read.OfType<EngineEvent.Transitioned>().Select(t => t.Transition).ToList();
            Assert.Equal(2 + 2 * cycles, transitions.Count);
            Assert.Equal([CarpState.Backup, CarpState.Master], transitions.Take(2).Select(t => t.To));
            Assert.All(transitions.Skip(2).Chunk(2), pair => Assert.Equal([CarpState.Backup, CarpState.Master], pair.Select(t => t.To)));
            Assert.Equal(transitions.Select(t => t.At).Order(), transitions.Select(t => t.At));
            Assert.Empty(read.OfType<EngineEvent.EventsLost>());
        }
        finally
        {
            await subscriber.DisposeAsync();
            var disposing = engine.DisposeAsync().AsTask();
            for (var i = 0; i < 400 && !disposing.IsCompleted; i++)
            {
                time.Advance(TimeSpan.FromMilliseconds(50));
                await Task.Delay(2);
            }
            await disposing.WaitAsync(TestTimeouts.Default);
        }
    }
}
