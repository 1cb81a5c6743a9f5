using System.Net;
using Appliance.Engine.StateMachine;
using static Appliance.Engine.StateMachine.CarpEffect;

namespace Appliance.Engine.Tests.StateMachine;

/// <summary>Split brain (docs/carp-protocol.md, 6.12): another MASTER heard while MASTER, and the two handovers that are not one.</summary>
public class SplitBrainTests
{
    private const string Peer = "198.18.0.2";

    private static ulong LastCounter(List<CarpEffect> fx) => fx.OfType<SendAdvert>().Last().Counter;

    /// <summary>The peer's advert carries our newest counter + 1 and a better priority: we yield with no split brain.</summary>
    private static void AssertYieldsWithoutSplitBrain(MachineHarness h, byte peerSkew)
    {
        var ours = LastCounter(h.Take());
        h.Advert(Peer, 1, peerSkew, counter: unchecked(ours + 1));
        var fx = h.Take();
        Assert.Equal(CarpState.Backup, h.Machine.State);
        Assert.Empty(fx.OfType<SplitBrain>());
    }

    [Fact]
    public void Winner_IndependentSequence_ReannouncesOnceAndResolvesAfterQuietMasterDown()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.StartAsMaster();
        // An independent sequence: newer than ours (the replay guard passes it) but not ours + 1.
        var theirs = h.Machine.NewestCounter!.Value + 1000;
        h.Advert(Peer, 1, 100, counter: theirs);
        var fx = h.Take();
        Assert.Equal(CarpState.Master, h.Machine.State);
        Assert.Contains(new SplitBrain(IPAddress.Parse(Peer), Resolved: false), fx);
        Assert.Single(fx.OfType<Reannounce>());
        Assert.Single(fx.OfType<SendGratuitousArp>());
        Assert.Equal(IPAddress.Parse(Peer), h.Machine.OtherMaster);

        // A lasting one-way partition: the other master keeps advertising its own sequence, which we have passed
        // since adopting it (dropped as replays); no second upscript, no resolution while it lasts.
        var masterDown = CarpTiming.MasterDown(1, 0, 3);
        for (var i = 0; i < 5; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(1));
            h.Advert(Peer, 1, 100, counter: theirs + 1 + (ulong)i);
        }
        fx = h.Take();
        Assert.Empty(fx.OfType<Reannounce>());
        Assert.Empty(fx.OfType<SplitBrain>());

        h.Time.Advance(masterDown - MachineHarness.Tick);
        Assert.Empty(h.Take().OfType<SplitBrain>());
        h.Time.Advance(MachineHarness.Tick);
        Assert.Equal([new SplitBrain(IPAddress.Parse(Peer), Resolved: true)], h.Take().OfType<SplitBrain>());
        Assert.Null(h.Machine.OtherMaster);
    }

    [Fact]
    public void Loser_IndependentSequence_YieldsSeenAndResolvedAtOnce()
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 100));
        h.StartAsMaster();
        h.Advert(Peer, 1, 0, counter: h.Machine.NewestCounter!.Value + 12345);
        var fx = h.Take();
        Assert.Equal(CarpState.Backup, h.Machine.State);
        Assert.Equal(
            [new SplitBrain(IPAddress.Parse(Peer), Resolved: false), new SplitBrain(IPAddress.Parse(Peer), Resolved: true)],
            fx.OfType<SplitBrain>());
        Assert.Empty(fx.OfType<Reannounce>());
        Assert.True(fx.IndexOf(fx.OfType<Transition>().Single()) < fx.IndexOf(fx.OfType<SplitBrain>().First()));
    }

    [Fact]
    public void Preemptor_FirstAdvertCarriesOurCounterPlusOne_IsAHandover()
    {
        using var h = new MachineHarness(MachineHarness.Config(advskew: 100));
        h.Machine.Start(linkUp: true);
        h.Time.Advance(CarpTiming.MasterDown(1, 100, 3));
        AssertYieldsWithoutSplitBrain(h, peerSkew: 0);
    }

    [Fact]
    public void AfterOurPreempt_OldMastersFarewellAdvert_IsAHandover()
    {
        using var h = new MachineHarness(MachineHarness.Config(preempt: true));
        h.Machine.Start(linkUp: true);
        h.Take();
        h.Advert(Peer, 1, 100, counter: 5000);
        var fx = h.Take();
        Assert.Equal(CarpState.Master, h.Machine.State);
        Assert.Equal(5001UL, LastCounter(fx));
        // The old master adopted 5001 and sends its one more advert, 5002, before going BACKUP.
        h.Advert(Peer, 1, 100, counter: 5002);
        fx = h.Take();
        Assert.Empty(fx.OfType<SplitBrain>());
        Assert.Empty(fx.OfType<Reannounce>());
        Assert.Null(h.Machine.OtherMaster);
    }

    [Fact]
    public void AfterOurBowOut_TakeoverAdvert_IsAHandover()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.StartAsMaster();
        h.Machine.SetMaintenance(true);
        AssertYieldsWithoutSplitBrain(h, peerSkew: 100);
    }

    [Fact]
    public void AfterOurTakeoverFromABowOut_OldMastersFarewellAdvert_IsAHandover()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.Machine.Start(linkUp: true);
        h.Take();
        // The master bows out (the worst pair): we take over with its counter + 1.
        h.Advert(Peer, CarpStateMachine.BowOutAdvBase, CarpStateMachine.BowOutAdvSkew, counter: 7000);
        var fx = h.Take();
        Assert.Equal(CarpState.Master, h.Machine.State);
        Assert.Equal(7001UL, LastCounter(fx));
        // Still demoted, it sends its one more advert with our counter + 1 before going BACKUP.
        h.Advert(Peer, CarpStateMachine.BowOutAdvBase, CarpStateMachine.BowOutAdvSkew, counter: 7002);
        fx = h.Take();
        Assert.Empty(fx.OfType<SplitBrain>());
        Assert.Empty(fx.OfType<Reannounce>());
        Assert.Null(h.Machine.OtherMaster);
    }

    /// <summary>
    /// The lab's healed partition (CarpSplitBrainLabTests): we stayed MASTER all along, so our counter ran ahead of
    /// the other master's (its adverts are replays to us); it adopted our advert, yielded, and its farewell carries
    /// our counter + 1. We did not just take over, so that is no handover: a split brain, and we re-announce.
    /// </summary>
    [Fact]
    public void Winner_OurNewestPlusOneWithoutATakeoverOfOurs_IsASplitBrain()
    {
        using var h = new MachineHarness(MachineHarness.Config());
        h.StartAsMaster();
        var ours = h.Machine.NewestCounter!.Value;
        Assert.False(h.Advert(Peer, 1, 100, counter: ours - 3).Accepted);
        h.Advert(Peer, 1, 100, counter: unchecked(ours + 1));
        var fx = h.Take();
        Assert.Equal(CarpState.Master, h.Machine.State);
        Assert.Equal([new SplitBrain(IPAddress.Parse(Peer), Resolved: false)], fx.OfType<SplitBrain>());
        Assert.Single(fx.OfType<Reannounce>());
        Assert.Equal(IPAddress.Parse(Peer), h.Machine.OtherMaster);
    }

    [Fact]
    public void AfterOurPreempt_OnlyTheFirstAdvertMayBeTheFarewell()
    {
        using var h = new MachineHarness(MachineHarness.Config(preempt: true));
        h.Machine.Start(linkUp: true);
        h.Take();
        h.Advert(Peer, 1, 100, counter: 5000);
        h.Advert(Peer, 1, 100, counter: 5002);
        Assert.Empty(h.Take().OfType<SplitBrain>());
        // Later the same node advertises as MASTER again with our newest + 1: not a farewell any more.
        h.Time.Advance(TimeSpan.FromSeconds(10));
        h.Take();
        h.Advert(Peer, 1, 100);
        Assert.Contains(new SplitBrain(IPAddress.Parse(Peer), Resolved: false), h.Take());
    }

    [Theory]
    [InlineData(10UL, 11UL, false)]
    [InlineData(ulong.MaxValue, 0UL, false)]
    [InlineData(10UL, 10UL, true)]
    [InlineData(10UL, 12UL, true)]
    [InlineData(10UL, 3UL, true)]
    public void Rule_OnlyNewestPlusOneIsAHandover(ulong newest, ulong counter, bool splitBrain) =>
        Assert.Equal(splitBrain, CarpStateMachine.IsSplitBrain(newest, counter));
}
