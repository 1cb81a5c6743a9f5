using System.Net;

namespace Appliance.Engine.Transport;

/// <summary>
/// Everything the engine needs from the operating system, behind one small interface so the
/// engine can be tested without sockets. The Linux implementation lives in Platform/Linux.
/// Failures throw <see cref="PlatformException"/> naming the call and errno.
/// </summary>
public interface IDataPlane
{
    ICarpChannel OpenChannel(CarpChannelOptions options);

    /// <summary>Adds the VIP with this prefix length and label (RTM_NEWADDR). Already present is not an error.</summary>
    void AddAddress(string interfaceName, IPAddress address, int prefixLength, string label);

    /// <summary>Removes the VIP (RTM_DELADDR). Absent is not an error.</summary>
    void RemoveAddress(string interfaceName, IPAddress address, int prefixLength);

    /// <summary>True when the interface has this IPv4 address.</summary>
    bool HasAddress(string interfaceName, IPAddress address);

    /// <summary>Sends one gratuitous ARP for <paramref name="address"/> from the interface's MAC (docs/carp-protocol.md, 6.6).</summary>
    void SendGratuitousArp(string interfaceName, IPAddress address);

    /// <summary>Interface index, or null when it does not exist.</summary>
    int? GetInterfaceIndex(string interfaceName);

    /// <summary>The interface's first IPv4 address, or null.</summary>
    IPAddress? GetFirstIPv4Address(string interfaceName);

    /// <summary>True when the interface has carrier (IFF_RUNNING / LOWER_UP).</summary>
    bool IsLinkUp(string interfaceName);

    /// <summary>Calls <paramref name="onChange"/>(interface, up) on every carrier change, from a netlink thread, until disposed.</summary>
    IDisposable WatchLinks(Action<string, bool> onChange);
}

/// <summary>A failed system call, with the call's name and errno.</summary>
public sealed class PlatformException(string call, int errno, string message)
    : Exception($"{call} failed: {message} (errno {errno})")
{
    public string Call { get; } = call;
    public int Errno { get; } = errno;
}
