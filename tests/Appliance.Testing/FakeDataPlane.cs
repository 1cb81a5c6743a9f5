using System.Net;
using Appliance.Engine.Protocol;
using Appliance.Engine.StateMachine;
using Appliance.Engine.Transport;

namespace Appliance.Testing;

/// <summary>
/// An in-memory data plane with a fixed set of interfaces: records what the engine sends and configures,
/// lets tests inject packets and flip links, and touches no real network (no test may advertise on the
/// root namespace's interfaces). Interface i has index 100 + i and the address 198.18.0.(i + 1).
/// </summary>
public sealed class FakeDataPlane : IDataPlane
{
    /// <summary>What the web tests' VHIDs run on.</summary>
    public static readonly IReadOnlyList<string> DefaultInterfaces = ["eth-test0", "eth-test1"];

    private readonly Lock _lock = new();
    private readonly List<string> _interfaces;
    private readonly Dictionary<string, bool> _links = new(StringComparer.Ordinal);
    private readonly List<FakeChannel> _channels = [];
    private readonly Dictionary<(string Interface, IPAddress Address), (int PrefixLength, string Label)> _addresses = [];
    private readonly List<string> _addressOps = [];
    private readonly List<(string Interface, IPAddress Address)> _gratuitousArps = [];
    private Action<string, bool>? _linkWatcher;

    public FakeDataPlane(params string[] interfaces)
    {
        _interfaces = interfaces.Length > 0 ? [.. interfaces] : [.. DefaultInterfaces];
        foreach (var name in _interfaces)
        {
            _links[name] = true;
        }
    }

    public IReadOnlyList<FakeChannel> Channels
    {
        get
        {
            lock (_lock)
            {
                return _channels.ToList();
            }
        }
    }

    /// <summary>Every payload sent, on any channel.</summary>
    public IReadOnlyList<(string Interface, byte[] Payload)> SentPackets =>
        Channels.SelectMany(c => c.Sent.Select(p => (c.Options.Interface, p))).ToList();

    /// <summary>The configured addresses and their prefix lengths.</summary>
    public IReadOnlyDictionary<(string Interface, IPAddress Address), int> Addresses
    {
        get
        {
            lock (_lock)
            {
                return _addresses.ToDictionary(a => a.Key, a => a.Value.PrefixLength);
            }
        }
    }

    /// <summary>"add eth0 198.18.0.101/32 eth0:ucarp", "del eth0 198.18.0.101/32", in order.</summary>
    public IReadOnlyList<string> AddressOps
    {
        get
        {
            lock (_lock)
            {
                return _addressOps.ToList();
            }
        }
    }

    public IReadOnlyList<(string Interface, IPAddress Address)> GratuitousArps
    {
        get
        {
            lock (_lock)
            {
                return _gratuitousArps.ToList();
            }
        }
    }

    /// <summary>The label of the address, or null when it is not configured.</summary>
    public string? LabelOf(string interfaceName, IPAddress address)
    {
        lock (_lock)
        {
            return _addresses.TryGetValue((interfaceName, address), out var assigned) ? assigned.Label : null;
        }
    }

    /// <summary>An address left configured before the engine started (a killed earlier run).</summary>
    public void Preconfigure(string interfaceName, IPAddress address, string label)
    {
        lock (_lock)
        {
            _addresses[(interfaceName, address)] = (32, label);
        }
    }

    /// <summary>The open (not disposed) channel for this vhid, the newest one.</summary>
    public FakeChannel Channel(string interfaceName) => Channels.Last(c => c.Options.Interface == interfaceName && !c.Disposed);

    public void SetLink(string interfaceName, bool up)
    {
        lock (_lock)
        {
            _links[interfaceName] = up;
        }
        _linkWatcher?.Invoke(interfaceName, up);
    }

    public ICarpChannel OpenChannel(CarpChannelOptions options)
    {
        Require(options.Interface);
        var channel = new FakeChannel(options);
        lock (_lock)
        {
            _channels.Add(channel);
        }
        return channel;
    }

    public void AddAddress(string interfaceName, IPAddress address, int prefixLength, string label)
    {
        Require(interfaceName);
        lock (_lock)
        {
            _addresses[(interfaceName, address)] = (prefixLength, label);
            _addressOps.Add($"add {interfaceName} {address}/{prefixLength} {label}");
        }
    }

    public void RemoveAddress(string interfaceName, IPAddress address, int prefixLength)
    {
        lock (_lock)
        {
            _addresses.Remove((interfaceName, address));
            _addressOps.Add($"del {interfaceName} {address}/{prefixLength}");
        }
    }

    public bool HasAddress(string interfaceName, IPAddress address)
    {
        lock (_lock)
        {
            return _addresses.ContainsKey((interfaceName, address));
        }
    }

    public void SendGratuitousArp(string interfaceName, IPAddress address)
    {
        lock (_lock)
        {
            _gratuitousArps.Add((interfaceName, address));
        }
    }

    public int? GetInterfaceIndex(string interfaceName) => _interfaces.IndexOf(interfaceName) is var i and >= 0 ? 100 + i : null;

    public IPAddress? GetFirstIPv4Address(string interfaceName) =>
        GetInterfaceIndex(interfaceName) is { } index ? IPAddress.Parse($"198.18.0.{index - 99}") : null;

    public bool IsLinkUp(string interfaceName)
    {
        lock (_lock)
        {
            return _links.GetValueOrDefault(interfaceName);
        }
    }

    public IDisposable WatchLinks(Action<string, bool> onChange)
    {
        _linkWatcher = onChange;
        return new Unwatch(this);
    }

    private void Require(string interfaceName)
    {
        if (GetInterfaceIndex(interfaceName) is null)
        {
            throw new PlatformException("if_nametoindex", 19, $"no such device {interfaceName}");
        }
    }

    private sealed class Unwatch(FakeDataPlane owner) : IDisposable
    {
        public void Dispose() => owner._linkWatcher = null;
    }
}

/// <summary>A CARP channel that records payloads and lets a test deliver packets to the receive handler.</summary>
public sealed class FakeChannel(CarpChannelOptions options) : ICarpChannel
{
    private readonly Lock _lock = new();
    private readonly List<byte[]> _sent = [];
    private PacketHandler? _handler;

    public CarpChannelOptions Options { get; } = options;

    public bool Disposed { get; private set; }

    /// <summary>What the kernel would report as receive-queue overflows; a test sets it.</summary>
    public long KernelDrops { get; set; }

    public IReadOnlyList<byte[]> Sent
    {
        get
        {
            lock (_lock)
            {
                return _sent.ToList();
            }
        }
    }

    public void Send(ReadOnlySpan<byte> carpPayload)
    {
        lock (_lock)
        {
            _sent.Add(carpPayload.ToArray());
        }
    }

    public void Start(PacketHandler handler)
    {
        Assert.Null(_handler);
        _handler = handler;
    }

    public void Inject(byte[] ipv4Packet)
    {
        Assert.NotNull(_handler);
        _handler(ipv4Packet);
    }

    public void Dispose() => Disposed = true;

    /// <summary>A valid advert as a peer would send it (IPv4 header + 36 CARP bytes).</summary>
    public static byte[] Advert(VhidConfig config, IPAddress source, byte advbase, byte advskew, ulong counter, string? password = null, byte? vhid = null, IPAddress? destination = null)
    {
        var packet = new byte[Ipv4Header.Length + CarpCodec.CarpLength];
        Ipv4Header.Write(packet, source, destination ?? config.MulticastGroup, 0x1234, CarpCodec.CarpLength);
        CarpCodec.WriteAdvert(packet.AsSpan(Ipv4Header.Length), vhid ?? config.Vhid, advbase, advskew, counter,
            new CarpAuthenticator(password ?? config.Password, config.VirtualAddress));
        return packet;
    }
}
