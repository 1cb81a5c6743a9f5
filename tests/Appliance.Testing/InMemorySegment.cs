using System.Net;
using Appliance.Engine.Protocol;
using Appliance.Engine.Transport;

namespace Appliance.Testing;

/// <summary>
/// One Ethernet segment in memory: each node is an <see cref="IDataPlane"/> with one interface and one
/// address; what a node's channel sends reaches every other node's channels on the segment as the IPv4
/// packet the kernel would build (TTL 255, protocol 112). Packets queue until <see cref="Deliver"/>, so
/// that a test drives the clock and the wire in turn on one thread, and no node ever receives inside its
/// own send (the engine sends under its state machine's lock). A channel with unicast peers sends one packet to
/// each peer, and receives only packets addressed to its own source, as its bound socket does
/// (docs/carp-protocol.md, 5.4 Unicast peers); a multicast channel receives only packets sent to a group.
/// </summary>
public sealed class InMemorySegment
{
    private readonly Lock _lock = new();
    private readonly List<Node> _nodes = [];
    private readonly Queue<(Node From, byte[] Packet)> _pending = new();
    private ushort _nextId;

    /// <summary>Adds a node with <paramref name="interfaceName"/> addressed <paramref name="address"/>, link up.</summary>
    public Node AddNode(string interfaceName, IPAddress address)
    {
        var node = new Node(this, interfaceName, address);
        lock (_lock)
        {
            _nodes.Add(node);
        }
        return node;
    }

    /// <summary>Hands every queued packet (and any sent in reply while delivering) to the receivers; returns how many.</summary>
    public int Deliver()
    {
        var delivered = 0;
        // Bounded: a reply loop between engines is a bug the test should see, not a hang.
        for (var i = 0; i < 10_000; i++)
        {
            (Node From, byte[] Packet) item;
            List<Channel> receivers;
            lock (_lock)
            {
                if (!_pending.TryDequeue(out item))
                {
                    return delivered;
                }
                var destination = new IPAddress(item.Packet.AsSpan(16, 4));
                receivers = _nodes.Where(n => n != item.From && n.Connected).SelectMany(n => n.OpenChannels)
                    .Where(c => c.Options.IsUnicast ? c.Options.Source.Equals(destination) : IsMulticast(destination))
                    .ToList();
            }
            foreach (var channel in receivers)
            {
                channel.Receive(item.Packet);
            }
            delivered++;
        }
        throw new InvalidOperationException("more than 10000 packets in one delivery: the nodes keep answering each other");
    }

    private void Enqueue(Node from, CarpChannelOptions options, ReadOnlySpan<byte> carpPayload)
    {
        lock (_lock)
        {
            IEnumerable<IPAddress> destinations = options.IsUnicast ? options.Peers! : [options.Group];
            foreach (var destination in destinations)
            {
                var packet = new byte[Ipv4Header.Length + carpPayload.Length];
                Ipv4Header.Write(packet, options.Source, destination, _nextId++, carpPayload.Length);
                carpPayload.CopyTo(packet.AsSpan(Ipv4Header.Length));
                _pending.Enqueue((from, packet));
            }
        }
    }

    private static bool IsMulticast(IPAddress address) => (address.GetAddressBytes()[0] & 0xF0) == 0xE0;

    /// <summary>One host on the segment, as its engine sees the operating system.</summary>
    public sealed class Node : IDataPlane
    {
        private readonly InMemorySegment _segment;
        private readonly string _interface;
        private readonly IPAddress _address;
        private readonly List<Channel> _channels = [];
        private readonly HashSet<IPAddress> _vips = [];
        private readonly List<IPAddress> _gratuitousArps = [];

        internal Node(InMemorySegment segment, string interfaceName, IPAddress address)
        {
            _segment = segment;
            _interface = interfaceName;
            _address = address;
        }

        /// <summary>False after <see cref="Disconnect"/>: it neither sends nor receives (a pulled cable, a crashed host).</summary>
        public bool Connected { get; private set; } = true;

        public IReadOnlyList<IPAddress> GratuitousArps
        {
            get
            {
                lock (_segment._lock)
                {
                    return _gratuitousArps.ToList();
                }
            }
        }

        internal IEnumerable<Channel> OpenChannels => _channels.Where(c => c.Started && !c.Disposed);

        /// <summary>Cuts the node off the segment without telling its engine: no bow-out reaches the others.</summary>
        public void Disconnect()
        {
            lock (_segment._lock)
            {
                Connected = false;
            }
        }

        public ICarpChannel OpenChannel(CarpChannelOptions options)
        {
            var channel = new Channel(this, options);
            lock (_segment._lock)
            {
                _channels.Add(channel);
            }
            return channel;
        }

        public void AddAddress(string interfaceName, IPAddress address, int prefixLength, string label)
        {
            lock (_segment._lock)
            {
                _vips.Add(address);
            }
        }

        public void RemoveAddress(string interfaceName, IPAddress address, int prefixLength)
        {
            lock (_segment._lock)
            {
                _vips.Remove(address);
            }
        }

        public bool HasAddress(string interfaceName, IPAddress address)
        {
            lock (_segment._lock)
            {
                return interfaceName == _interface && _vips.Contains(address);
            }
        }

        public void SendGratuitousArp(string interfaceName, IPAddress address)
        {
            lock (_segment._lock)
            {
                _gratuitousArps.Add(address);
            }
        }

        public int? GetInterfaceIndex(string interfaceName) => interfaceName == _interface ? 2 : null;

        public IPAddress? GetFirstIPv4Address(string interfaceName) => interfaceName == _interface ? _address : null;

        public bool IsLinkUp(string interfaceName) => interfaceName == _interface;

        public IDisposable WatchLinks(Action<string, bool> onChange) => new NoWatch();

        internal void Send(Channel channel, ReadOnlySpan<byte> carpPayload)
        {
            if (Connected)
            {
                _segment.Enqueue(this, channel.Options, carpPayload);
            }
        }

        private sealed class NoWatch : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }

    internal sealed class Channel(Node node, CarpChannelOptions options) : ICarpChannel
    {
        private PacketHandler? _handler;

        public CarpChannelOptions Options { get; } = options;

        public bool Started => _handler is not null;

        public bool Disposed { get; private set; }

        public void Send(ReadOnlySpan<byte> carpPayload) => node.Send(this, carpPayload);

        public void Start(PacketHandler handler) => _handler = handler;

        /// <summary>The segment delivers every packet: no queue to overflow.</summary>
        public long KernelDrops => 0;

        public void Receive(byte[] packet) => _handler?.Invoke(packet);

        public void Dispose() => Disposed = true;
    }
}
