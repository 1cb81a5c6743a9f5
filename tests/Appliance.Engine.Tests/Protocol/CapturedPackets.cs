using System.Net;

namespace Appliance.Engine.Tests.Protocol;

/// <summary>Frames captured from ucarp 1.5.2 with tcpdump (docs/carp-protocol.md, 7 Captured packets), with the parameters that produced them.</summary>
internal sealed record CapturedAdvert(
    string Name,
    byte[] Frame,
    string Password,
    IPAddress Vip,
    IPAddress Source,
    byte Vhid,
    byte AdvBase,
    byte AdvSkew,
    ulong Counter,
    ushort IpId,
    bool Broadcast,
    byte[] Digest)
{
    public ReadOnlySpan<byte> Ipv4Packet => Frame.AsSpan(14);
    public ReadOnlySpan<byte> Carp => Frame.AsSpan(34, 36);
    public override string ToString() => Name;
}

internal static class CapturedPackets
{
    public static readonly IPAddress Group = IPAddress.Parse("224.0.0.18");

    // 7.1: ucarp -i vA -s 198.18.0.1 -v 42 -p secret -a 198.18.0.100 -b 1 -k 0
    public static readonly CapturedAdvert LoneMaster = new(
        "7.1",
        Hex("""
            01 00 5e 00 00 12  00 00 5e 00 00 2a  08 00
            45 10 00 38 7c f0 40 00 ff 70 58 2f
            c6 12 00 01  e0 00 00 12
            21 2a 00 07 00 01 7a 58
            ca 2f d5 f9 43 b0 9d f5
            bd f4 43 c3 b4 c6 37 23 2a c3 59 ca 47 a9 c6 54 84 3e de 39
            """),
        "secret",
        IPAddress.Parse("198.18.0.100"),
        IPAddress.Parse("198.18.0.1"),
        Vhid: 42,
        AdvBase: 1,
        AdvSkew: 0,
        Counter: 0xca2fd5f943b09df5,
        IpId: 0x7cf0,
        Broadcast: false,
        Hex("bdf443c3b4c637232ac359ca47a9c654843ede39"));

    // 7.2: ucarp -i vB -s 198.18.0.2 -v 9 -p pw123 -a 198.18.0.60 -k 100
    public static readonly CapturedAdvert Takeover = new(
        "7.2",
        Hex("""
            01 00 5e 00 00 12 00 00 5e 00 00 09 08 00 45 10 00 38 d6 b1 40 00 ff 70
            fe 6c c6 12 00 02 e0 00 00 12 21 09 64 07 00 01 a6 fd 34 ea e5 13 9b c0
            db f9 79 04 a9 b6 05 c1 7c 4d 3c c3 0e 9b 0b 78 34 36 cf 98 42 c9
            """),
        "pw123",
        IPAddress.Parse("198.18.0.60"),
        IPAddress.Parse("198.18.0.2"),
        Vhid: 9,
        AdvBase: 1,
        AdvSkew: 100,
        Counter: 0x34eae5139bc0dbf9,
        IpId: 0xd6b1,
        Broadcast: false,
        Hex("7904a9b605c17c4d3cc30e9b0b783436cf9842c9"));

    // 7.3: ucarp -M -n -i vA -s 198.18.1.1 -v 200 -p pw123 -a 198.18.0.70
    public static readonly CapturedAdvert NoMulticast = new(
        "7.3",
        Hex("""
            ff ff ff ff ff ff 00 00 5e 00 00 c8 08 00 45 10 00 38 63 27 40 00 ff 70
            70 f8 c6 12 01 01 e0 00 00 12 21 c8 00 07 00 01 3c 68 3f 57 32 96 4b 81
            95 b6 f8 a0 bf 30 7a a2 39 f9 c5 bf cb df f2 a7 15 99 c8 6b 7f e8
            """),
        "pw123",
        IPAddress.Parse("198.18.0.70"),
        IPAddress.Parse("198.18.1.1"),
        Vhid: 200,
        AdvBase: 1,
        AdvSkew: 0,
        Counter: 0x3f5732964b8195b6,
        IpId: 0x6327,
        Broadcast: true,
        Hex("f8a0bf307aa239f9c5bfcbdff2a71599c86b7fe8"));

    // 7.1: the gratuitous ARP sent 14 µs before the first advert, from vA (02:00:00:00:00:0a).
    public static readonly byte[] LoneMasterGarp = Hex("""
        ff ff ff ff ff ff 02 00 00 00 00 0a 08 06 00 01 08 00 06 04 00 01
        02 00 00 00 00 0a c6 12 00 64 02 00 00 00 00 0a c6 12 00 64
        """);

    public static TheoryData<string> Names => new() { "7.1", "7.2", "7.3" };

    public static CapturedAdvert ByName(string name) => name switch
    {
        "7.1" => LoneMaster,
        "7.2" => Takeover,
        "7.3" => NoMulticast,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public static byte[] Hex(string text) =>
        Convert.FromHexString(string.Concat(text.Where(Uri.IsHexDigit)));
}
