namespace Appliance.Engine.StateMachine;

/// <summary>
/// Interval arithmetic (docs/carp-protocol.md, 4 Timers). All values are whole microseconds, computed
/// with integer division exactly as ucarp does so that priorities compare the same on both sides.
/// </summary>
public static class CarpTiming
{
    /// <summary>ucarp: skew_us = advskew x 1 000 000 / 256.</summary>
    public static long SkewMicroseconds(byte advskew) => advskew * 1_000_000L / 256;

    /// <summary>The advertisement interval: advbase s + advskew/256 s.</summary>
    public static TimeSpan AdvertInterval(byte advbase, byte advskew) =>
        TimeSpan.FromMicroseconds(advbase * 1_000_000L + SkewMicroseconds(advskew));

    /// <summary>Modern OpenBSD's floor for the master-down interval: 3/256 s.</summary>
    public static readonly TimeSpan MinimumMasterDown = TimeSpan.FromMicroseconds(3 * 1_000_000L / 256);

    /// <summary>
    /// Master-down interval. ucarp: deadratio x advbase s + skew (the ratio does not scale the skew).
    /// With advbase 0 that formula leaves no margin at all (one advert interval), so there we take
    /// modern OpenBSD's deadratio x (advbase + skew/256), with its 3/256 s floor. For advbase >= 1 the
    /// result is ucarp's to the microsecond, so mixed ucarp clusters agree on who times out first.
    /// </summary>
    public static TimeSpan MasterDown(byte advbase, byte advskew, uint deadratio)
    {
        if (advbase == 0)
        {
            var scaled = TimeSpan.FromMicroseconds(deadratio * SkewMicroseconds(advskew));
            return scaled < MinimumMasterDown ? MinimumMasterDown : scaled;
        }
        return TimeSpan.FromMicroseconds(advbase * (long)deadratio * 1_000_000L + SkewMicroseconds(advskew));
    }

    /// <summary>
    /// ucarp's "priority": (advbase, skew_us) compared as a timeval, i.e. as total microseconds
    /// (tv_usec is always below one second). Smaller is preferred.
    /// </summary>
    public static long Priority(byte advbase, byte advskew) => advbase * 1_000_000L + SkewMicroseconds(advskew);
}
