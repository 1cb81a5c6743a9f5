using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Appliance.Engine.Platform.Linux;
using Appliance.Engine.Transport;
using Xunit.Abstractions;

using Appliance.Lab;

namespace Appliance.IntegrationTests.Platform;

public sealed class RawCarpChannelTests(ITestOutputHelper output) : IDisposable
{
    private static readonly IPAddress Group = IPAddress.Parse("224.0.0.18");
    private readonly NetnsLab _lab = new();
    private readonly List<IDisposable> _disposables = [];

    [Theory]
    [InlineData(false, "0100 5e00 0012 0200 0000 000a 0800")]
    [InlineData(true, "ffff ffff ffff 0200 0000 000a 0800")]
    public void Send_FromNamespaceA_ArrivesInBWithTtl255Tos10AndExpectedDestinationMac(bool noMulticast, string expectedEthernet)
    {
        var sender = Open(_lab.A, "vA", _lab.AddressA, noMulticast);
        var receiver = Open(_lab.B, "vB", _lab.AddressB, noMulticast);
        var received = new BlockingCollection<byte[]>();
        receiver.Start(packet => received.Add(packet.ToArray()));
        using var capture = new Tcpdump(_lab.B, "vB", 1, "proto 112");
        var payload = Payload(0x5a);

        sender.Send(payload);

        Assert.True(received.TryTake(out var packet, TimeSpan.FromSeconds(5)), "no packet reached the channel in B");
        Assert.Equal(56, packet.Length);
        Assert.Equal(0x45, packet[0]);
        Assert.Equal(0x10, packet[1]);
        Assert.Equal(255, packet[8]);
        Assert.Equal(112, packet[9]);
        Assert.Equal(IPAddress.Parse(_lab.AddressA), new IPAddress(packet.AsSpan(12, 4)));
        Assert.Equal(Group, new IPAddress(packet.AsSpan(16, 4)));
        Assert.Equal(payload, packet[20..]);
        var dump = capture.WaitForOutput(TimeSpan.FromSeconds(5));
        Assert.NotNull(dump);
        output.WriteLine(dump);
        Assert.Contains("tos 0x10", dump, StringComparison.Ordinal);
        Assert.Contains("ttl 255", dump, StringComparison.Ordinal);
        Assert.Contains(expectedEthernet, dump, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Start_PacketsSentEvery20Ms_EachHandedOverWithinMilliseconds(bool noMulticast)
    {
        const int Count = 25;
        var sender = Open(_lab.A, "vA", _lab.AddressA, noMulticast);
        var receiver = Open(_lab.B, "vB", _lab.AddressB, noMulticast);
        var arrivals = new ConcurrentDictionary<byte, long>();
        receiver.Start(packet => arrivals.TryAdd(packet[20], Stopwatch.GetTimestamp()));
        var sent = new long[Count];

        for (var i = 0; i < Count; i++)
        {
            sent[i] = Stopwatch.GetTimestamp();
            sender.Send(Payload((byte)i));
            Thread.Sleep(20);
        }
        var deadline = Stopwatch.StartNew();
        while (arrivals.Count < Count && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(10);
        }

        Assert.Equal(Count, arrivals.Count);
        var latencies = Enumerable.Range(0, Count)
            .Select(i => Stopwatch.GetElapsedTime(sent[i], arrivals[(byte)i]).TotalMilliseconds)
            .Order()
            .ToArray();
        output.WriteLine($"noMulticast={noMulticast}: receive latency median {latencies[Count / 2]:F3} ms, max {latencies[^1]:F3} ms");
        Assert.True(latencies[Count / 2] < 5, $"median latency {latencies[Count / 2]:F3} ms");
        Assert.True(latencies[^1] < 100, $"max latency {latencies[^1]:F3} ms");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Start_RealUcarpAdvertisingInB_AdvertsReachChannelInA(bool noMulticast)
    {
        var receiver = Open(_lab.A, "vA", _lab.AddressA, noMulticast);
        var received = new BlockingCollection<byte[]>();
        receiver.Start(packet => received.Add(packet.ToArray()));
        var flags = noMulticast ? "-M " : "";
        using var ucarp = Process.Start(new ProcessStartInfo(
            "ip",
            $"netns exec {_lab.B} /usr/sbin/ucarp {flags}-i vB -s {_lab.AddressB} -v 7 -p pw -a {_lab.Vip} -u /bin/true -d /bin/true")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            // A lone ucarp is MASTER after about 3 s (lab notes) and then advertises every second.
            byte[]? advert = null;
            var deadline = Stopwatch.StartNew();
            while (advert is null && deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                received.TryTake(out advert, TimeSpan.FromSeconds(1));
            }

            Assert.NotNull(advert);
            Assert.Equal(IPAddress.Parse(_lab.AddressB), new IPAddress(advert.AsSpan(12, 4)));
            Assert.Equal(Group, new IPAddress(advert.AsSpan(16, 4)));
            Assert.Equal(255, advert[8]);
            Assert.Equal(0x21, advert[20]);
            Assert.Equal(7, advert[21]);
        }
        finally
        {
            ucarp.Kill();
            ucarp.WaitForExit(5000);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReceiveQueueOverflow_WhileTheReceiveThreadIsBusy_KernelDropsCountedAndNothingLostUncounted(bool noMulticast)
    {
        // Far more than a default receive queue holds (rmem_default 212992 bytes: a few hundred small packets).
        const int Count = 3000;
        var sender = Open(_lab.A, "vA", _lab.AddressA, noMulticast);
        var receiver = Open(_lab.B, "vB", _lab.AddressB, noMulticast);
        using var busy = new ManualResetEventSlim(false);
        var received = 0;
        receiver.Start(packet =>
        {
            if (packet.Length == 56 && packet[21] == 0x21)
            {
                // The first packet holds the receive thread, as a slow consumer would, until all are sent.
                busy.Wait(TimeSpan.FromSeconds(30));
                Interlocked.Increment(ref received);
            }
        });

        for (var i = 0; i < Count; i++)
        {
            sender.Send(Payload((byte)i));
            if (i % 200 == 199)
            {
                // Lets the veth's per-CPU backlog drain: losses there are not the socket's and would go uncounted.
                Thread.Sleep(1);
            }
        }
        busy.Set();
        // The kernel tells a socket's drop count with the next packet it queues (SO_RXQ_OVFL), so the losses of the
        // flood's tail become known with the packet after it, as the next advert on a live segment would tell them.
        var deadline = Stopwatch.StartNew();
        while (Volatile.Read(ref received) + receiver.KernelDrops < Count + 1 && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            sender.Send(Payload(0xff));
            Thread.Sleep(100);
        }
        var probes = (int)(deadline.ElapsedMilliseconds / 100) + 1;

        output.WriteLine($"noMulticast={noMulticast}: sent {Count} + probes, handed over {received}, kernel drops {receiver.KernelDrops}");
        Assert.True(receiver.KernelDrops > 0, "the queue never overflowed: the test shows nothing");
        // Every packet of the flood was either handed over or counted; the probes only ever arrive (the queue is empty).
        Assert.InRange(received + receiver.KernelDrops - Count, 1, probes);
    }

    [Fact]
    public void OpenChannel_MissingInterface_ThrowsPlatformExceptionNamingCallAndErrno()
    {
        var dataPlane = NetnsThread.Run(_lab.A, () => new LinuxDataPlane());
        _disposables.Add(dataPlane);

        var error = Assert.Throws<PlatformException>(() => NetnsThread.Run(_lab.A, () =>
            dataPlane.OpenChannel(new CarpChannelOptions("nosuchif0", IPAddress.Parse(_lab.AddressA), Group, false))));

        output.WriteLine(error.Message);
        Assert.Equal(19, error.Errno);
        Assert.Equal("if_nametoindex", error.Call);
        Assert.Equal("if_nametoindex failed: No such device (errno 19)", error.Message);
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

    private ICarpChannel Open(string ns, string device, string source, bool noMulticast)
    {
        var channel = NetnsThread.Run(ns, () =>
        {
            using var dataPlane = new LinuxDataPlane();
            return dataPlane.OpenChannel(new CarpChannelOptions(device, IPAddress.Parse(source), Group, noMulticast));
        });
        _disposables.Add(channel);
        return channel;
    }
}
