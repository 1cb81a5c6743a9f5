using System.Net;
using Appliance.Engine.StateMachine;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Engine.Tests.StateMachine;

/// <summary>A state machine on a fake clock whose effects are collected into a list, in order.</summary>
internal sealed class MachineHarness : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<CarpEffect> _effects = [];

    public MachineHarness(VhidConfig config, string source = "198.18.0.1", TimeProvider? time = null, FakeTimeProvider? fake = null)
    {
        Time = fake ?? new FakeTimeProvider();
        Machine = new CarpStateMachine(config, IPAddress.Parse(source), time ?? Time, e =>
        {
            lock (_lock)
            {
                _effects.Add(e);
            }
        });
    }

    public static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    public FakeTimeProvider Time { get; }

    public CarpStateMachine Machine { get; }

    public static VhidConfig Config(byte advbase = 1, byte advskew = 0, uint deadratio = 3, bool preempt = false) => new()
    {
        Interface = "veth0",
        Vhid = 42,
        Password = "secret",
        VirtualAddress = IPAddress.Parse("198.18.0.100"),
        AdvBase = advbase,
        AdvSkew = advskew,
        DeadRatio = deadratio,
        Preempt = preempt,
    };

    /// <summary>Returns the effects collected so far and clears the list.</summary>
    public List<CarpEffect> Take()
    {
        lock (_lock)
        {
            var copy = _effects.ToList();
            _effects.Clear();
            return copy;
        }
    }

    /// <summary>Starts with link up and runs the clock to the first master-down expiry; returns with MASTER and no pending effects.</summary>
    public void StartAsMaster()
    {
        Machine.Start(linkUp: true);
        Time.Advance(CarpTiming.MasterDown(Machine.Config.AdvBase, Machine.Config.AdvSkew, Machine.Config.DeadRatio));
        Assert.Equal(CarpState.Master, Machine.State);
        Take();
    }

    /// <summary>
    /// A valid advert; without <paramref name="counter"/> it carries the machine's newest counter + 1, as a peer
    /// that has heard every advert would (ucarp adopts and counts on).
    /// </summary>
    public AdvertVerdict Advert(string source, byte advbase, byte advskew, ulong? counter = null) =>
        Machine.OnAdvert(IPAddress.Parse(source), advbase, advskew, counter ?? unchecked((Machine.NewestCounter ?? 0) + 1));

    public void Dispose() => Machine.Dispose();
}
