using System.Buffers.Binary;
using System.Net;
using Appliance.Engine.Platform.Linux;
using Appliance.Engine.Transport;
using Tmds.Linux;

namespace Appliance.Engine.Tests.Platform;

/// <summary>Netlink replies are length-checked before every read; requests give up after their timeout.</summary>
public sealed class NetlinkReplyTests
{
    private static byte[] Message(ushort type, uint sequence, byte[] body, int? declaredLength = null)
    {
        var bytes = new byte[16 + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)(declaredLength ?? bytes.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), type);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), sequence);
        body.CopyTo(bytes, 16);
        return bytes;
    }

    private static List<(ushort Type, int BodyLength)> Collect(byte[] datagram)
    {
        var seen = new List<(ushort, int)>();
        NetlinkReply.ForEach(datagram, (header, body) => seen.Add((header.nlmsg_type, body.Length)));
        return seen;
    }

    private static byte[] AddressBody(int ifindex, byte[] addressAttributeValue)
    {
        var attributeLength = 4 + addressAttributeValue.Length;
        var body = new byte[8 + ((attributeLength + 3) & ~3)];
        body[0] = 2; // AF_INET
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), (uint)ifindex);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(8), (ushort)attributeLength);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(10), Netlink.IfaLocal);
        addressAttributeValue.CopyTo(body, 12);
        return body;
    }

    [Fact]
    public void Whole_messages_are_read_in_order()
    {
        var datagram = Message(Netlink.RtmNewAddr, 1, new byte[8]).Concat(Message(Netlink.NlmsgDone, 1, new byte[4])).ToArray();
        Assert.Equal([(Netlink.RtmNewAddr, 8), (Netlink.NlmsgDone, 4)], Collect(datagram));
    }

    [Theory]
    [InlineData(0)]    // below the header size
    [InlineData(15)]
    [InlineData(4096)] // beyond the datagram
    public void A_message_whose_length_is_wrong_ends_the_datagram(int declared)
    {
        var datagram = Message(Netlink.RtmNewAddr, 1, new byte[8], declared).Concat(Message(Netlink.NlmsgDone, 1, [])).ToArray();
        Assert.Empty(Collect(datagram));
    }

    [Fact]
    public void A_truncated_trailing_message_is_skipped()
    {
        var datagram = Message(Netlink.NlmsgDone, 1, [0, 0, 0, 0]).Concat(new byte[10]).ToArray();
        Assert.Equal([(Netlink.NlmsgDone, 4)], Collect(datagram));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0xFE, 0xFF, 0xFF })] // three bytes of an int
    [InlineData(new byte[] { 1, 0, 0, 0 })]      // positive: no kernel sends it
    [InlineData(new byte[] { 0, 0, 0, 0x80 })]   // int.MinValue cannot be negated
    public void A_short_or_impossible_error_body_is_not_read(byte[] body)
    {
        Assert.False(NetlinkReply.TryReadError(body, out _));
    }

    [Fact]
    public void An_error_body_gives_the_errno()
    {
        Assert.True(NetlinkReply.TryReadError([0xEF, 0xFF, 0xFF, 0xFF, 9, 9], out var errno));
        Assert.Equal(17, errno); // -EEXIST
    }

    [Fact]
    public void An_address_message_is_read_only_when_every_part_fits()
    {
        Assert.True(NetlinkAddresses.TryParseAddress(Netlink.RtmNewAddr, AddressBody(3, [198, 18, 0, 7]), 3, out var address));
        Assert.Equal(IPAddress.Parse("198.18.0.7"), address);

        Assert.False(NetlinkAddresses.TryParseAddress(Netlink.RtmNewAddr, AddressBody(3, [198, 18, 0, 7]), 4, out _));
        Assert.False(NetlinkAddresses.TryParseAddress(Netlink.RtmNewAddr, AddressBody(3, [198, 18, 0]), 3, out _));
        Assert.False(NetlinkAddresses.TryParseAddress(Netlink.RtmNewAddr, AddressBody(3, [198, 18, 0, 7])[..7], 3, out _));
        // The attribute claims more bytes than the message holds.
        var oversized = AddressBody(3, [198, 18, 0, 7]);
        BinaryPrimitives.WriteUInt16LittleEndian(oversized.AsSpan(8), 200);
        Assert.False(NetlinkAddresses.TryParseAddress(Netlink.RtmNewAddr, oversized, 3, out _));
        // Exactly the ifaddrmsg, no attributes at all.
        Assert.False(NetlinkAddresses.TryParseAddress(Netlink.RtmNewAddr, new byte[8], 0, out _));
    }

    [Fact]
    public void A_link_message_is_read_only_when_every_part_fits()
    {
        var body = new byte[16 + 8];
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(4), 5);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(8), LinuxDefinitions.IffLowerUp);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(16), 7); // rta_len: 4 + "vA\0"
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(18), Netlink.IflaIfname);
        "vA\0"u8.CopyTo(body.AsSpan(20));

        Assert.True(LinkWatcher.TryParseLink(Netlink.RtmNewLink, body, out var index, out var name, out var up));
        Assert.Equal((5, "vA", true), (index, name, up));
        Assert.False(LinkWatcher.TryParseLink(Netlink.RtmNewLink, body[..15], out _, out _, out _));
        Assert.False(LinkWatcher.TryParseLink(Netlink.RtmNewLink, body[..16], out _, out _, out _));
        Assert.True(LinkWatcher.TryParseLink(Netlink.RtmDelLink, body[..16], out index, out name, out _));
        Assert.Equal((5, null), (index, name));
    }

    [Fact]
    public void A_request_the_kernel_never_answers_times_out_and_frees_the_socket()
    {
        // NLMSG_NOOP without NLM_F_ACK: the kernel accepts it and sends nothing back.
        using var socket = NetlinkSocket.Open(0);
        socket.RequestTimeout = TimeSpan.FromMilliseconds(300);
        var started = Environment.TickCount64;
        var error = Assert.Throws<PlatformException>(() => socket.Execute(new NetlinkMessage(Netlink.NlmsgNoop, Netlink.NlmFRequest), "NLMSG_NOOP"));
        var waited = Environment.TickCount64 - started;

        Assert.Equal(LibC.ETIMEDOUT, error.Errno);
        Assert.InRange(waited, 250, 3000);
        // The lock was released: the same socket still answers a request that is acknowledged.
        Assert.Equal(0, socket.Execute(new NetlinkMessage(Netlink.NlmsgNoop, Netlink.NlmFRequest | Netlink.NlmFAck), "NLMSG_NOOP"));
    }

}
