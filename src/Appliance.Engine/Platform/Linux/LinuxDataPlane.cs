using System.Net;
using Appliance.Engine.Protocol;
using Appliance.Engine.Transport;

namespace Appliance.Engine.Platform.Linux;

/// <summary>
/// <see cref="IDataPlane"/> on Linux through Tmds.LibC: raw IP protocol 112 sockets, rtnetlink for addresses
/// and link state, AF_PACKET for gratuitous ARP. The shared sockets are created in the constructor, so every
/// call acts in the network namespace of the thread that constructed the object; <see cref="OpenChannel"/>
/// and <see cref="WatchLinks"/> create their sockets in the calling thread's namespace.
/// </summary>
public sealed class LinuxDataPlane : IDataPlane, IDisposable
{
    private readonly InterfaceControl _interfaces;
    private readonly NetlinkSocket _netlink;
    private readonly PacketSocket _arpSocket;

    public LinuxDataPlane()
    {
        _interfaces = new InterfaceControl();
        try
        {
            _netlink = NetlinkSocket.Open(groups: 0);
            _arpSocket = PacketSocket.OpenSender();
        }
        catch
        {
            _netlink?.Dispose();
            _interfaces.Dispose();
            throw;
        }
    }

    public ICarpChannel OpenChannel(CarpChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return RawCarpChannel.Open(options, _interfaces, PollLoop.Shared);
    }

    /// <summary>The label is made to fit the kernel's rule (see <c>NetlinkAddresses.MakeLabel</c>).</summary>
    public void AddAddress(string interfaceName, IPAddress address, int prefixLength, string label)
    {
        var ifindex = _interfaces.RequireIndex(interfaceName, "if_nametoindex");
        NetlinkAddresses.Add(_netlink, ifindex, address, prefixLength, NetlinkAddresses.MakeLabel(interfaceName, label));
    }

    public void RemoveAddress(string interfaceName, IPAddress address, int prefixLength)
    {
        var ifindex = _interfaces.RequireIndex(interfaceName, "if_nametoindex");
        NetlinkAddresses.Remove(_netlink, ifindex, address, prefixLength);
    }

    public bool HasAddress(string interfaceName, IPAddress address)
    {
        var ifindex = _interfaces.GetIndex(interfaceName);
        return ifindex is not null && NetlinkAddresses.List(_netlink, ifindex.Value).Contains(address);
    }

    public void SendGratuitousArp(string interfaceName, IPAddress address)
    {
        var ifindex = _interfaces.RequireIndex(interfaceName, "if_nametoindex");
        var mac = _interfaces.GetHardwareAddress(interfaceName);
        Span<byte> frame = stackalloc byte[GratuitousArp.Length];
        GratuitousArp.Write(frame, mac, address);
        _arpSocket.Send(ifindex, frame, "sendto(AF_PACKET, ETH_P_ARP)");
    }

    public int? GetInterfaceIndex(string interfaceName) => _interfaces.GetIndex(interfaceName);

    public IPAddress? GetFirstIPv4Address(string interfaceName)
    {
        var ifindex = _interfaces.GetIndex(interfaceName);
        return ifindex is null ? null : NetlinkAddresses.List(_netlink, ifindex.Value).FirstOrDefault();
    }

    /// <summary>IFF_RUNNING from SIOCGIFFLAGS, as ucarp checks it (docs/carp-protocol.md, 6.7 Carrier); false for a missing interface.</summary>
    public bool IsLinkUp(string interfaceName) =>
        ((_interfaces.GetFlags(interfaceName) ?? 0) & LinuxDefinitions.IffRunning) != 0;

    public IDisposable WatchLinks(Action<string, bool> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        return LinkWatcher.Start(onChange, PollLoop.Shared);
    }

    public void Dispose()
    {
        _arpSocket.Dispose();
        _netlink.Dispose();
        _interfaces.Dispose();
    }
}
