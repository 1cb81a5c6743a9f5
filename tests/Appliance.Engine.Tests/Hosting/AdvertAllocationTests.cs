using System.Net;
using Appliance.Engine.Hosting;
using Appliance.Engine.Protocol;
using Appliance.Engine.StateMachine;
using Appliance.Engine.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Engine.Tests.Hosting;

/// <summary>
/// The send path of a MASTER (advert timer, state machine, codec, HMAC, channel) allocates nothing per advert:
/// 255 VHIDs at 78 ms are 3 264 adverts a second, and a daemon that allocates on each wakes the GC up.
/// </summary>
public sealed class AdvertAllocationTests
{
    private const int Adverts = 1000;

    [Fact]
    public async Task PeriodicAdverts_AsMaster_AllocateNothing()
    {
        var clock = new ManualClock();
        var plane = new CountingDataPlane();
        var config = new VhidConfig
        {
            Interface = "veth0",
            Vhid = 7,
            Password = "pw123",
            VirtualAddress = IPAddress.Parse("198.18.0.107"),
            AdvBase = 0,
            AdvSkew = 20,
            ManageVip = true,
        };
        var instance = new CarpInstance(config, plane, clock, NullLoggerFactory.Instance, _ => { });
        instance.Start();
        // The machine creates its advert timer first, then master-down: expire master-down, become MASTER.
        Assert.Equal(2, clock.Timers.Count);
        var (advertTimer, masterDownTimer) = (clock.Timers[0], clock.Timers[1]);
        clock.Now += clock.TimestampFrequency * 10;
        masterDownTimer.Fire();
        Assert.Equal(CarpState.Master, instance.Status().State);
        // Warm up: the delayed gratuitous ARP after the 3rd advert, first-call paths of the crypto provider.
        for (var i = 0; i < 10; i++)
        {
            advertTimer.Fire();
        }
        var sentBefore = plane.Channel!.Sends;

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Adverts; i++)
        {
            advertTimer.Fire();
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(Adverts, plane.Channel.Sends - sentBefore);
        Assert.Equal(0, allocated);
        // What went out is still a valid advert of ours: counter and HMAC patched on every send.
        var authenticator = new CarpAuthenticator(config.Password, config.VirtualAddress);
        var counter = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(plane.Channel.Last.AsSpan(8, 8));
        Assert.True(authenticator.Verify(config.Vhid, counter, plane.Channel.Last.AsSpan(16, 20)));
        await instance.DisposeAsync();
    }

    /// <summary>A clock whose timestamp the test sets and whose timers fire only when the test says so.</summary>
    private sealed class ManualClock : TimeProvider
    {
        public long Now { get; set; }

        public List<ManualTimer> Timers { get; } = [];

        public override long TimestampFrequency => 1_000_000;

        public override long GetTimestamp() => Now;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new ManualTimer(callback, state);
            Timers.Add(timer);
            return timer;
        }
    }

    private sealed class ManualTimer(TimerCallback callback, object? state) : ITimer
    {
        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>One interface, veth0 at 198.18.0.1, link up; its channel counts sends and keeps the last payload.</summary>
    private sealed class CountingDataPlane : IDataPlane
    {
        public CountingChannel? Channel { get; private set; }

        public ICarpChannel OpenChannel(CarpChannelOptions options) => Channel = new CountingChannel();

        public void AddAddress(string interfaceName, IPAddress address, int prefixLength, string label)
        {
        }

        public void RemoveAddress(string interfaceName, IPAddress address, int prefixLength)
        {
        }

        public bool HasAddress(string interfaceName, IPAddress address) => false;

        public void SendGratuitousArp(string interfaceName, IPAddress address)
        {
        }

        public int? GetInterfaceIndex(string interfaceName) => 2;

        public IPAddress? GetFirstIPv4Address(string interfaceName) => IPAddress.Parse("198.18.0.1");

        public bool IsLinkUp(string interfaceName) => true;

        public IDisposable WatchLinks(Action<string, bool> onChange) => throw new NotSupportedException();
    }

    private sealed class CountingChannel : ICarpChannel
    {
        public int Sends { get; private set; }

        public byte[] Last { get; } = new byte[CarpCodec.CarpLength];

        public long KernelDrops => 0;

        public void Send(ReadOnlySpan<byte> carpPayload)
        {
            carpPayload.CopyTo(Last);
            Sends++;
        }

        public void Start(PacketHandler handler)
        {
        }

        public void Dispose()
        {
        }
    }
}
