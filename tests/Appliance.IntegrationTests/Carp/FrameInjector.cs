using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Appliance.Engine.Protocol;
using Appliance.IntegrationTests.Lab;
using Appliance.Lab;
using Tmds.Linux;

namespace Appliance.IntegrationTests.Carp;

/// <summary>
/// Sends hand-made Ethernet frames out of a lab node's interface through an AF_PACKET socket created inside
/// that node's namespace, so tests can put forged CARP adverts on the segment byte for byte.
/// </summary>
internal sealed unsafe partial class FrameInjector : IDisposable
{
    private static readonly IPAddress Group = IPAddress.Parse("224.0.0.18");
    private readonly int _fd;
    private readonly int _ifindex;
    private readonly LabNode _node;
    private readonly byte[] _mac;
    private int _disposed;

    private FrameInjector(int fd, int ifindex, LabNode node)
    {
        _fd = fd;
        _ifindex = ifindex;
        _node = node;
        _mac = Convert.FromHexString(node.Mac.Replace(":", "", StringComparison.Ordinal));
    }

    public static FrameInjector Open(NetworkLab lab, LabNode node)
    {
        var link = lab.Run(node, "ip", "-o", "link", "show", "dev", node.Interface);
        var match = IfIndex().Match(link.StdOut);
        Assert.True(match.Success, $"no ifindex in '{link.StdOut}'");
        var ifindex = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        // Protocol 0: a send-only socket; it belongs to the node's namespace for its whole life.
        var fd = NetnsThread.Run(node.Namespace, () => LibC.socket(LibC.AF_PACKET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, 0));
        Assert.True(fd >= 0, "socket(AF_PACKET) failed in " + node.Namespace);
        return new FrameInjector(fd, ifindex, node);
    }

    /// <summary>
    /// A counter newer than any an appliance that started by itself can have sent: it starts below 2^63 and counts
    /// up by one (docs/replay.md), so 2^63 - 1 passes its replay check once.
    /// </summary>
    public const ulong NewerThanAnyStart = long.MaxValue;

    /// <summary>
    /// A valid 70-byte advert frame from this node (its MAC and address) to 224.0.0.18, built with the engine's
    /// own codec: vhid, advbase, advskew, <paramref name="counter"/> (default <see cref="NewerThanAnyStart"/>), signed
    /// with <paramref name="password"/> for <paramref name="vip"/>.
    /// </summary>
    public byte[] Advert(byte vhid, byte advbase, byte advskew, string password, IPAddress vip, ulong counter = NewerThanAnyStart)
    {
        var carp = new byte[CarpCodec.CarpLength];
        CarpCodec.WriteAdvert(carp, vhid, advbase, advskew, counter, new CarpAuthenticator(password, vip));
        var frame = new byte[CarpCodec.FrameLength];
        CarpCodec.WriteFrame(frame, _mac, _node.Address, Group, (ushort)RandomNumberGenerator.GetInt32(65536), broadcast: false, carp);
        return frame;
    }

    /// <summary>Offset of the IPv4 header in a frame.</summary>
    public const int Ip = CarpCodec.EthernetHeaderLength;

    /// <summary>Offset of the CARP header in a frame.</summary>
    public const int Carp = CarpCodec.EthernetHeaderLength + Ipv4Header.Length;

    /// <summary>Recomputes the IPv4 header checksum after an edit (the kernel drops a bad one before any socket sees it).</summary>
    public static void FixIpChecksum(byte[] frame)
    {
        frame[Ip + 10] = 0;
        frame[Ip + 11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(Ip + 10), InternetChecksum.Compute(frame.AsSpan(Ip, Ipv4Header.Length)));
    }

    /// <summary>Recomputes the CARP checksum after an edit.</summary>
    public static void FixCarpChecksum(byte[] frame)
    {
        frame[Carp + 6] = 0;
        frame[Carp + 7] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(Carp + 6), InternetChecksum.Compute(frame.AsSpan(Carp, CarpCodec.CarpLength)));
    }

    /// <summary>
    /// Captures the next CARP frame that <paramref name="from"/> sends, as seen in this node (tcpdump in its namespace,
    /// one packet, written as pcap and read back), Ethernet header included.
    /// </summary>
    public static byte[] CaptureAdvert(NetworkLab lab, LabNode node, LabNode from, TimeSpan timeout)
    {
        var path = Path.Combine(lab.WorkDirectory, $"capture-{Guid.NewGuid():N}.pcap");
        var result = lab.Run(node, timeout, "tcpdump", "-Z", "root", "-i", node.Interface, "-c", "1", "-U", "-w", path,
            $"ip proto 112 and src host {from.Address}");
        Assert.True(result.ExitCode == 0, $"tcpdump: {result.StdErr}");
        // pcap: a 24-byte file header, a 16-byte record header (its third word the captured length), the frame.
        var pcap = File.ReadAllBytes(path);
        var length = BinaryPrimitives.ReadInt32LittleEndian(pcap.AsSpan(24 + 8));
        Assert.Equal(CarpCodec.FrameLength, length);
        return pcap[(24 + 16)..(24 + 16 + length)];
    }

    /// <summary>The counter of a captured advert frame.</summary>
    public static ulong CounterOf(byte[] frame) => BinaryPrimitives.ReadUInt64BigEndian(frame.AsSpan(Carp + 8));

    /// <summary>
    /// A captured advert re-sent from this node: its MAC and address as source, advskew set to <paramref name="advskew"/>
    /// (not covered by the HMAC), both checksums fixed; counter and digest unchanged.
    /// </summary>
    public byte[] Respoof(byte[] captured, byte advskew)
    {
        var frame = captured.ToArray();
        _mac.CopyTo(frame, 6);
        _node.Address.TryWriteBytes(frame.AsSpan(Ip + 12, 4), out _);
        frame[Carp + 2] = advskew;
        FixIpChecksum(frame);
        FixCarpChecksum(frame);
        return frame;
    }

    /// <summary>
    /// An advert frame re-addressed to <paramref name="to"/> alone, as a unicast peer sends it (docs/carp-protocol.md,
    /// 5.4 Unicast peers): its MAC as the Ethernet destination, its address as the IP destination, the IP checksum fixed.
    /// The CARP bytes, digest included, are unchanged: the HMAC does not cover the addresses.
    /// </summary>
    public static byte[] Unicast(byte[] frame, LabNode to)
    {
        var copy = frame.ToArray();
        Convert.FromHexString(to.Mac.Replace(":", "", StringComparison.Ordinal)).CopyTo(copy, 0);
        to.Address.TryWriteBytes(copy.AsSpan(Ip + 16, 4), out _);
        FixIpChecksum(copy);
        return copy;
    }

    public void Send(ReadOnlySpan<byte> frame)
    {
        var address = new sockaddr_ll
        {
            sll_family = (ushort)(int)LibC.AF_PACKET,
            sll_protocol = BinaryPrimitives.ReverseEndianness((ushort)0x0800),
            sll_ifindex = _ifindex,
            sll_halen = 6,
        };
        frame[..6].CopyTo(new Span<byte>(address.sll_addr, 8));
        fixed (byte* data = frame)
        {
            var sent = LibC.sendto(_fd, data, frame.Length, 0, (sockaddr*)&address, SizeOf.sockaddr_ll);
            Assert.True(sent == frame.Length, $"sendto(AF_PACKET) returned {sent}, errno {LibC.errno}");
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            LibC.close(_fd);
        }
    }

    [GeneratedRegex(@"^(\d+):")]
    private static partial Regex IfIndex();
}
