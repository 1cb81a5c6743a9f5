using Appliance.Engine.StateMachine;

namespace Appliance.Engine.Tests.StateMachine;

public class CarpTimingTests
{
    [Theory]
    [InlineData(1, 0, 10_000_000)]
    [InlineData(1, 50, 11_953_120)]   // 1 s + 195312 us (integer division, as ucarp)
    [InlineData(1, 100, 13_906_250)]
    [InlineData(0, 50, 1_953_120)]
    [InlineData(0, 20, 781_250)]      // 78.125 ms
    [InlineData(255, 255, 2_559_960_930)]
    public void AdvertInterval_AdvbasePlusSkewOver256_InWholeMicroseconds(byte advbase, byte advskew, long ticks) =>
        Assert.Equal(TimeSpan.FromTicks(ticks), CarpTiming.AdvertInterval(advbase, advskew));

    [Theory]
    [InlineData(1, 0, 3u, 30_000_000)]
    [InlineData(1, 100, 3u, 33_906_250)]  // ucarp: 3 x advbase + skew (3.390625 s), ratio does not scale skew
    [InlineData(2, 10, 3u, 60_390_620)]
    [InlineData(1, 10, 1u, 10_390_620)]
    [InlineData(3, 0, 2u, 60_000_000)]
    public void MasterDown_AdvbaseAtLeastOne_IsUcarpFormula(byte advbase, byte advskew, uint ratio, long ticks) =>
        Assert.Equal(TimeSpan.FromTicks(ticks), CarpTiming.MasterDown(advbase, advskew, ratio));

    [Fact]
    public void MasterDown_Advbase0Skew26Ratio3_IsRatioTimesSkewInWholeMicroseconds()
    {
        // deadratio x advskew/256 s = 304.6875 ms, in whole microseconds (the class contract): within 2 us.
        var masterDown = CarpTiming.MasterDown(0, 26, 3);
        Assert.Equal(0, masterDown.Ticks % 10);
        Assert.InRange(masterDown.Ticks, 3_046_875 - 20, 3_046_875 + 20);
    }

    [Theory]
    [InlineData(0, 1, 1u)]
    [InlineData(0, 2, 1u)]
    [InlineData(0, 1, 2u)]
    public void MasterDown_Advbase0Tiny_FlooredAtMinimum(byte advbase, byte advskew, uint ratio) =>
        Assert.Equal(CarpTiming.MinimumMasterDown, CarpTiming.MasterDown(advbase, advskew, ratio));

    [Fact]
    public void MinimumMasterDown_IsThreeOver256Seconds() =>
        Assert.Equal(TimeSpan.FromMicroseconds(11_718), CarpTiming.MinimumMasterDown);

    [Fact]
    public void MasterDown_Advbase0AboveFloor_ScalesWithRatio() =>
        Assert.True(CarpTiming.MasterDown(0, 100, 3) > CarpTiming.MasterDown(0, 100, 2));

    [Fact]
    public void Priority_ComparedAsTimeval_AdvbaseFirstThenSkew()
    {
        Assert.True(CarpTiming.Priority(1, 255) < CarpTiming.Priority(2, 0));
        Assert.True(CarpTiming.Priority(1, 0) < CarpTiming.Priority(1, 1));
        Assert.True(CarpTiming.Priority(0, 255) < CarpTiming.Priority(1, 0));
        Assert.Equal(CarpTiming.Priority(1, 100), (long)CarpTiming.AdvertInterval(1, 100).TotalMicroseconds);
    }

    [Fact]
    public void SkewMicroseconds_IntegerDivision_AsUcarp()
    {
        Assert.Equal(195_312, CarpTiming.SkewMicroseconds(50));
        Assert.Equal(996_093, CarpTiming.SkewMicroseconds(255));
        Assert.Equal(0, CarpTiming.SkewMicroseconds(0));
    }
}
