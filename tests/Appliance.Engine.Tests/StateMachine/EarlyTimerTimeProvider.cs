namespace Appliance.Engine.Tests.StateMachine;

/// <summary>
/// A clock whose timers fire a little before their due time relative to <see cref="GetTimestamp"/>, as
/// System timers do on Linux (they run on a coarse millisecond tick count, timestamps on CLOCK_MONOTONIC).
/// </summary>
internal sealed class EarlyTimerTimeProvider(TimeProvider inner, TimeSpan early) : TimeProvider
{
    public override long TimestampFrequency => inner.TimestampFrequency;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new EarlyTimer(inner.CreateTimer(callback, state, Early(dueTime), period), this);

    private TimeSpan Early(TimeSpan due) => due == Timeout.InfiniteTimeSpan || due <= early ? due : due - early;

    private sealed class EarlyTimer(ITimer timer, EarlyTimerTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => timer.Change(owner.Early(dueTime), period);

        public void Dispose() => timer.Dispose();

        public ValueTask DisposeAsync() => timer.DisposeAsync();
    }
}
