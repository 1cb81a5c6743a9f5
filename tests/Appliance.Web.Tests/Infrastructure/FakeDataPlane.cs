using System.Collections.Concurrent;
using System.Net;
using Appliance.Engine.Transport;

namespace Appliance.Web.Tests.Infrastructure;

/// <summary>
/// In-memory data plane: a fixed set of interfaces, records every packet, address and gratuitous ARP,
/// touches no real network (API tests must never advertise on the root namespace's interfaces).
/// </summary>
public sealed class FakeDataPlane : IDataPlane
{
    public static readonly IReadOnlyList<string> InterfaceNames = ["eth-test0", "eth-test1"];

    public ConcurrentQueue<(string Interface, byte[] Payload)> SentPackets { get; } = new();
    public ConcurrentDictionary<(string Interface, IPAddress Address), int> Addresses { get; } = new();
    public ConcurrentQueue<(string Interface, IPAddress Address)> GratuitousArps { get; } = new();

    public ICarpChannel OpenChannel(CarpChannelOptions options)
    {
        Require(options.Interface);
        return new Channel(this, options.Interface);
    }

    public void AddAddress(string interfaceName, IPAddress address, int prefixLength, string label)
    {
        Require(interfaceName);
        Addresses[(interfaceName, address)] = prefixLength;
    }

    public void RemoveAddress(string interfaceName, IPAddress address, int prefixLength) => Addresses.TryRemove((interfaceName, address), out _);

    public bool HasAddress(string interfaceName, IPAddress address) => Addresses.ContainsKey((interfaceName, address));

    public void SendGratuitousArp(string interfaceName, IPAddress address) => GratuitousArps.Enqueue((interfaceName, address));

    public int? GetInterfaceIndex(string interfaceName)
    {
        var index = InterfaceNames.ToList().IndexOf(interfaceName);
        return index < 0 ? null : 100 + index;
    }

    public IPAddress? GetFirstIPv4Address(string interfaceName) =>
        GetInterfaceIndex(interfaceName) is { } index ? IPAddress.Parse($"198.18.0.{index - 99}") : null;

    public bool IsLinkUp(string interfaceName) => GetInterfaceIndex(interfaceName) is not null;

    public IDisposable WatchLinks(Action<string, bool> onChange) => new Nothing();

    private void Require(string interfaceName)
    {
        if (GetInterfaceIndex(interfaceName) is null)
        {
            throw new PlatformException("if_nametoindex", 19, $"no such device {interfaceName}");
        }
    }

    private sealed class Channel(FakeDataPlane owner, string interfaceName) : ICarpChannel
    {
        public void Send(ReadOnlySpan<byte> carpPayload) => owner.SentPackets.Enqueue((interfaceName, carpPayload.ToArray()));

        public void Start(PacketHandler handler)
        {
        }

        public void Dispose()
        {
        }
    }

    private sealed class Nothing : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
