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
    /// A valid 70-byte advert frame from this node (its MAC and address) to 224.0.0.18, built with the engine's
    /// own codec: vhid, advbase, advskew, a random counter, signed with <paramref name="password"/> for <paramref name="vip"/>.
    /// </summary>
    public byte[] Advert(byte vhid, byte advbase, byte advskew, string password, IPAddress vip)
    {
        var carp = new byte[CarpCodec.CarpLength];
        var counter = BinaryPrimitives.ReadUInt64BigEndian(RandomNumberGenerator.GetBytes(8));
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
