using System.Net;
using Appliance.Engine.Protocol;
using Appliance.Engine.StateMachine;
using Appliance.Engine.Transport;

namespace Appliance.Engine.Tests.Hosting;

/// <summary>An in-memory data plane: records what the engine sends and configures, lets tests inject packets.</summary>
internal sealed class FakeDataPlane : IDataPlane
{
    private readonly Lock _lock = new();
    private readonly List<FakeChannel> _channels = [];
    private readonly Dictionary<(string, IPAddress), string> _addresses = [];
    private readonly List<string> _addressOps = [];
    private readonly List<(string Interface, IPAddress Address)> _garps = [];
    private Action<string, bool>? _linkWatcher;

    public Dictionary<string, IPAddress> FirstAddress { get; } = new(StringComparer.Ordinal) { ["veth0"] = IPAddress.Parse("198.18.0.1") };

    public Dictionary<string, bool> Links { get; } = new(StringComparer.Ordinal) { ["veth0"] = true };

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

    public IReadOnlyList<(string Interface, IPAddress Address)> Garps
    {
        get
        {
            lock (_lock)
            {
                return _garps.ToList();
            }
        }
    }

    /// <summary>The label of the address, or null when it is not configured.</summary>
    public string? LabelOf(string interfaceName, IPAddress address)
    {
        lock (_lock)
        {
            return _addresses.GetValueOrDefault((interfaceName, address));
        }
    }

    public void Preconfigure(string interfaceName, IPAddress address, string label)
    {
        lock (_lock)
        {
            _addresses[(interfaceName, address)] = label;
        }
    }

    /// <summary>The open (not disposed) channel for this vhid, the newest one.</summary>
    public FakeChannel Channel(string interfaceName) => Channels.Last(c => c.Options.Interface == interfaceName && !c.Disposed);

    public void SetLink(string interfaceName, bool up)
    {
        Links[interfaceName] = up;
        _linkWatcher?.Invoke(interfaceName, up);
    }

    public ICarpChannel OpenChannel(CarpChannelOptions options)
    {
        var channel = new FakeChannel(options);
        lock (_lock)
        {
            _channels.Add(channel);
        }
        return channel;
    }

    public void AddAddress(string interfaceName, IPAddress address, int prefixLength, string label)
    {
        lock (_lock)
        {
            _addresses[(interfaceName, address)] = label;
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
            _garps.Add((interfaceName, address));
        }
    }

    public int? GetInterfaceIndex(string interfaceName) => Links.ContainsKey(interfaceName) ? 2 : null;

    public IPAddress? GetFirstIPv4Address(string interfaceName) => FirstAddress.GetValueOrDefault(interfaceName);

    public bool IsLinkUp(string interfaceName) => Links.GetValueOrDefault(interfaceName);

    public IDisposable WatchLinks(Action<string, bool> onChange)
    {
        _linkWatcher = onChange;
        return new Unwatch(this);
    }

    private sealed class Unwatch(FakeDataPlane owner) : IDisposable
    {
        public void Dispose() => owner._linkWatcher = null;
    }
}

/// <summary>A CARP channel that records payloads and lets a test deliver packets to the receive handler.</summary>
internal sealed class FakeChannel(CarpChannelOptions options) : ICarpChannel
{
    private readonly Lock _lock = new();
    private readonly List<byte[]> _sent = [];
    private PacketHandler? _handler;

    public CarpChannelOptions Options { get; } = options;

    public bool Disposed { get; private set; }

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
