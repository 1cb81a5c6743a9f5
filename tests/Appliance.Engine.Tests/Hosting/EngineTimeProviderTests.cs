using System.Collections.Concurrent;
using System.Diagnostics;
using Appliance.Engine.Hosting;

namespace Appliance.Engine.Tests.Hosting;

public sealed class EngineTimeProviderTests
{
    [Fact]
    public async Task TimerThread_AsRoot_RunsUnderSchedRr()
    {
        // scripts/test runs as root, which may set real-time policies; anyone else keeps an ordinary thread.
        Assert.True(Tmds.Linux.LibC.geteuid() == 0, "the test suite runs as root (scripts/test)");
        using var time = new EngineTimeProvider();
        var policy = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timer = time.CreateTimer(_ => policy.TrySetResult(Tmds.Linux.LibC.sched_getscheduler(0)), null, TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);

        Assert.Equal(Tmds.Linux.LibC.SCHED_RR, await policy.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task CreateTimer_OneShot_FiresOnceNeverEarlyOnTheTimerThread()
    {
        using var time = new EngineTimeProvider();
        var fired = new TaskCompletionSource<(long At, string? Thread)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        var start = Stopwatch.GetTimestamp();
        using var timer = time.CreateTimer(_ =>
        {
            Interlocked.Increment(ref count);
            fired.TrySetResult((Stopwatch.GetTimestamp(), Thread.CurrentThread.Name));
        }, null, TimeSpan.FromMilliseconds(50), Timeout.InfiniteTimeSpan);

        var (at, thread) = await fired.Task.WaitAsync(TestTimeouts.Default);
        await Task.Delay(150);

        Assert.True(Stopwatch.GetElapsedTime(start, at) >= TimeSpan.FromMilliseconds(50));
        Assert.Equal("carp-timers", thread);
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task CreateTimer_Periodic_TimerThreadAllocatesNothingBetweenFirings()
    {
        // The advert timer's steady state: re-queueing a periodic timer and waiting for it must not allocate
        // (with 255 VHIDs it runs 3 264 times a second). Measured on the timer thread from inside the callback.
        const int Warm = 20;
        const int Measured = 100;
        using var time = new EngineTimeProvider();
        var allocated = new long[Warm + Measured + 1];
        var fires = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timer = time.CreateTimer(_ =>
        {
            var n = fires++;
            if (n < allocated.Length)
            {
                allocated[n] = GC.GetAllocatedBytesForCurrentThread();
            }
            if (n == allocated.Length - 1)
            {
                done.TrySetResult();
            }
        }, null, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1));

        await done.Task.WaitAsync(TestTimeouts.Default);

        Assert.Equal(allocated[Warm], allocated[Warm + Measured]);
    }

    [Fact]
    public async Task CreateTimer_TwoTimers_FireInDueOrder()
    {
        using var time = new EngineTimeProvider();
        var order = new ConcurrentQueue<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var late = time.CreateTimer(_ => { order.Enqueue("late"); done.TrySetResult(); }, null, TimeSpan.FromMilliseconds(80), Timeout.InfiniteTimeSpan);
        using var early = time.CreateTimer(_ => order.Enqueue("early"), null, TimeSpan.FromMilliseconds(20), Timeout.InfiniteTimeSpan);

        await done.Task.WaitAsync(TestTimeouts.Default);

        Assert.Equal(["early", "late"], order.ToArray());
    }

    [Fact]
    public async Task Change_BeforeDue_MovesTheTimerAndTheOldDueTimeIsIgnored()
    {
        using var time = new EngineTimeProvider();
        var count = 0;
        var fired = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = Stopwatch.GetTimestamp();
        using var timer = time.CreateTimer(_ =>
        {
            Interlocked.Increment(ref count);
            fired.TrySetResult(Stopwatch.GetTimestamp());
        }, null, TimeSpan.FromMilliseconds(30), Timeout.InfiniteTimeSpan);
        timer.Change(TimeSpan.FromMilliseconds(200), Timeout.InfiniteTimeSpan);

        var at = await fired.Task.WaitAsync(TestTimeouts.Default);
        await Task.Delay(100);

        Assert.True(Stopwatch.GetElapsedTime(start, at) >= TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task CreateTimer_Periodic_FiresRepeatedlyUntilDisposed()
    {
        using var time = new EngineTimeProvider();
        var count = 0;
        var timer = time.CreateTimer(_ => Interlocked.Increment(ref count), null, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10));
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 5;
        while (Volatile.Read(ref count) < 5 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(10);
        }
        timer.Dispose();
        var atDispose = Volatile.Read(ref count);
        await Task.Delay(100);

        Assert.True(atDispose >= 5);
        Assert.InRange(Volatile.Read(ref count), atDispose, atDispose + 1);
    }

    [Fact]
    public async Task CreateTimer_CallbackThrows_OtherTimersStillFire()
    {
        using var time = new EngineTimeProvider();
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var badRan = 0;
        // Fires first and throws on the timer thread; the provider must survive it.
        using var bad = time.CreateTimer(_ =>
        {
            Interlocked.Increment(ref badRan);
            throw new InvalidOperationException("boom");
        }, null, TimeSpan.FromMilliseconds(5), Timeout.InfiniteTimeSpan);
        using var good = time.CreateTimer(_ => fired.TrySetResult(), null, TimeSpan.FromMilliseconds(40), Timeout.InfiniteTimeSpan);

        await fired.Task.WaitAsync(TestTimeouts.Default);
        Assert.Equal(1, badRan);
    }
}
