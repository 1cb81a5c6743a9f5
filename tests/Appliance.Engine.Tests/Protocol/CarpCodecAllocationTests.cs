using System.Net;
using Appliance.Engine.Protocol;

namespace Appliance.Engine.Tests.Protocol;

public class CarpCodecAllocationTests
{
    [Fact]
    public void ComputeDigest_Warm_AllocatesNothing()
    {
        var authenticator = new CarpAuthenticator("pw123", IPAddress.Parse("198.18.0.60"));
        var digest = new byte[20];
        authenticator.ComputeDigest(9, 1, digest);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            authenticator.ComputeDigest(9, (ulong)i, digest);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void TryDecode_ValidAdvert_AllocatesOnlyTheSourceAddress()
    {
        var captured = CapturedPackets.Takeover;
        var packet = captured.Ipv4Packet.ToArray();
        var filter = new CarpReceiveFilter(IPAddress.Parse("198.18.0.1"), 9, CapturedPackets.Group, new CarpAuthenticator("pw123", captured.Vip));
        Assert.True(CarpCodec.TryDecode(packet, filter, out _, out _, out _));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            CarpCodec.TryDecode(packet, filter, out _, out _, out _);
        }
        var perDecode = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
        var before1 = GC.GetAllocatedBytesForCurrentThread();
        _ = new IPAddress(captured.Ipv4Packet[12..16]);
        var oneAddress = GC.GetAllocatedBytesForCurrentThread() - before1;

        Assert.Equal(oneAddress, perDecode);
    }
}
