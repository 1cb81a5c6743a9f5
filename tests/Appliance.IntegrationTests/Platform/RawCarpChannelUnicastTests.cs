using System.Collections.Concurrent;
using System.Net;
using Appliance.Engine.Platform.Linux;
using Appliance.Engine.Protocol;
using Appliance.Engine.Transport;
using Appliance.Lab;
using Xunit.Abstractions;

namespace Appliance.IntegrationTests.Platform;

/// <summary>The channel with unicast peers (docs/carp-protocol.md, 5.4 Unicast peers), between two namespaces.</summary>
public sealed class RawCarpChannelUnicastTests(ITestOutputHelper output) : IDisposable
{
    private static readonly IPAddress Group = IPAddress.Parse("224.0.0.18");
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly NetnsLab _lab = new();
    private readonly List<IDisposable> _disposables = [];

    [Fact]
    public void Send_ToPeer_SamePacketWithThePeerAsDestinationInAUnicastFrame()
    {
        var sender = Open(_lab.A, "vA", _lab.AddressA, _lab.AddressB);
        var receiver = Open(_lab.B, "vB", _lab.AddressB, _lab.AddressA);
        var received = new BlockingCollection<byte[]>();
        receiver.Start(packet => received.Add(packet.ToArray()));
        using var capture = new Tcpdump(_lab.B, "vB", 1, "proto 112");
        var payload = Payload(0x5a);

        sender.Send(payload);

        Assert.True(received.TryTake(out var packet, Wait), "no packet reached the unicast channel in B");
        Assert.Equal(56, packet.Length);
        Assert.Equal(0x10, packet[1]);
        Assert.Equal(255, packet[8]);
        Assert.Equal(112, packet[9]);
        Assert.Equal(IPAddress.Parse(_lab.AddressA), new IPAddress(packet.AsSpan(12, 4)));
        Assert.Equal(IPAddress.Parse(_lab.AddressB), new IPAddress(packet.AsSpan(16, 4)));
        Assert.Equal(payload, packet[20..]);
        var dump = capture.WaitForOutput(Wait);
        Assert.NotNull(dump);
        output.WriteLine(dump);
        // Ethernet: to B's MAC from A's, not to 01:00:5e:00:00:12.
        Assert.Contains("0200 0000 000b 0200 0000 000a 0800", dump, StringComparison.Ordinal);
        Assert.Contains("ttl 255", dump, StringComparison.Ordinal);
    }

    [Fact]
    public void Receive_AdvertToTheGroup_NotDeliveredToAUnicastChannel()
    {
        var receiver = Open(_lab.A, "vA", _lab.AddressA, _lab.AddressB);
        var multicastSender = Open(_lab.B, "vB", _lab.AddressB);
        var unicastSender = Open(_lab.B, "vB", _lab.AddressB, _lab.AddressA);
        var received = new BlockingCollection<byte[]>();
        receiver.Start(packet => received.Add(packet.ToArray()));

        // The group advert goes first on the same wire: had it been delivered, it would arrive before the unicast one.
        multicastSender.Send(Payload(0x01));
        unicastSender.Send(Payload(0x02));

        Assert.True(received.TryTake(out var packet, Wait), "the unicast advert did not arrive");
        Assert.Equal(0x02, packet[20]);
        Assert.Equal(IPAddress.Parse(_lab.AddressA), new IPAddress(packet.AsSpan(16, 4)));
    }

    [Fact]
    public void Send_FirstPeerUnreachable_TheOtherPeerStillGetsEveryAdvert()
    {
        var nobody = $"198.18.{_lab.Subnet}.9";
        var sender = Open(_lab.A, "vA", _lab.AddressA, nobody, _lab.AddressB);
        var receiver = Open(_lab.B, "vB", _lab.AddressB, _lab.AddressA);
        var received = new BlockingCollection<byte[]>();
        receiver.Start(packet => received.Add(packet.ToArray()));
        var failures = 0;

        for (var i = 0; i < 5; i++)
        {
            try
            {
                sender.Send(Payload((byte)i));
            }
            catch (PlatformException ex)
            {
                failures++;
                output.WriteLine(ex.Message);
            }
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.True(received.TryTake(out var packet, Wait), $"advert {i} did not reach the reachable peer ({failures} sends reported a failure)");
            Assert.Equal(i, packet[20]);
        }
    }

    [Fact]
    public void Send_ToPeers_AllocatesNothing()
    {
        var sender = Open(_lab.A, "vA", _lab.AddressA, _lab.AddressB);
        var payload = Payload(0x33);
        for (var i = 0; i < 10; i++)
        {
            sender.Send(payload);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            sender.Send(payload);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    public void Dispose()
    {
        try
        {
            foreach (var disposable in Enumerable.Reverse(_disposables))
            {
                disposable.Dispose();
            }
        }
        finally
        {
            _lab.Dispose();
        }
    }

    private static byte[] Payload(byte marker)
    {
        var payload = new byte[36];
        payload[0] = marker;
        payload[1] = 0x21;
        return payload;
    }

    /// <summary>A channel in <paramref name="ns"/>; with <paramref name="peers"/>, in unicast mode.</summary>
    private ICarpChannel Open(string ns, string device, string source, params string[] peers)
    {
        var options = new CarpChannelOptions(device, IPAddress.Parse(source), Group, false, peers.Length == 0 ? null : new CarpPeers(peers.Select(IPAddress.Parse)));
        var channel = NetnsThread.Run(ns, () =>
        {
            using var dataPlane = new LinuxDataPlane();
            return dataPlane.OpenChannel(options);
        });
        _disposables.Add(channel);
        return channel;
    }
}
