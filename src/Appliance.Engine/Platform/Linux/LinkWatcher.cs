using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Appliance.Engine.Platform.Linux;

/// <summary>
/// Reports carrier changes from RTMGRP_LINK notifications on the data plane's receive thread (<see cref="PollLoop"/>). It remembers each interface's last
/// carrier (seeded from an RTM_GETLINK dump) and reports only real changes, because the kernel also sends
/// RTM_NEWLINK for MTU, name, statistics and other changes.
/// </summary>
internal sealed class LinkWatcher : IDisposable
{
    private readonly NetlinkSocket _socket;
    private readonly Action<string, bool> _onChange;
    private readonly Dictionary<int, (string Name, bool Up)> _links = [];
    private readonly PollLoop _pollLoop;
    private IDisposable? _registration;
    private bool _reporting;

    private LinkWatcher(NetlinkSocket socket, Action<string, bool> onChange, PollLoop pollLoop)
    {
        _socket = socket;
        _onChange = onChange;
        _pollLoop = pollLoop;
    }

    /// <summary>Opens the socket in the calling thread's namespace; notifications are read on <paramref name="pollLoop"/>'s thread.</summary>
    public static LinkWatcher Start(Action<string, bool> onChange, PollLoop pollLoop)
    {
        var socket = NetlinkSocket.Open(Netlink.RtmgrpLink);
        LinkWatcher? watcher = null;
        try
        {
            watcher = new LinkWatcher(socket, onChange, pollLoop);
            socket.Dump(DumpRequest(), "RTM_GETLINK", watcher.OnMessage);
            watcher._reporting = true;
            watcher._registration = pollLoop.Register(socket.Handle, watcher.OnReadable);
            return watcher;
        }
        catch
        {
            watcher?._registration?.Dispose();
            socket.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _registration?.Dispose();
        _socket.Dispose();
    }

    private static NetlinkMessage DumpRequest() =>
        new NetlinkMessage(Netlink.RtmGetLink, Netlink.NlmFRequest | Netlink.NlmFDump)
            .Body(new ifinfomsg { ifi_family = 0 });

    private void OnReadable()
    {
        // Bounded: at most a handful of datagrams per wake-up; poll comes straight back if more are queued.
        for (var i = 0; i < 16; i++)
        {
            if (_socket.TryReceive(OnMessage, out var errno))
            {
                continue;
            }
            if (errno == LibC.ENOBUFS)
            {
                // Notifications were dropped: ask for the full table again; the replies arrive on this thread
                // and are compared with what we knew, so a missed change is still reported once.
                _socket.Post(DumpRequest(), "RTM_GETLINK");
                continue;
            }
            return;
        }
    }

    private void OnMessage(ushort type, ReadOnlySpan<byte> body)
    {
        if (!TryParseLink(type, body, out var index, out var name, out var up))
        {
            return;
        }
        if (name is null)
        {
            _links.Remove(index);
            return;
        }
        var known = _links.TryGetValue(index, out var previous);
        _links[index] = (name, up);
        if (_reporting && (!known || previous.Up != up))
        {
            _onChange(name, up);
        }
    }

    /// <summary>
    /// One RTM_NEWLINK or RTM_DELLINK message: the interface index, its name (null for RTM_DELLINK) and whether its
    /// carrier is up. False for other messages, a body too short for its ifinfomsg, or an RTM_NEWLINK without IFLA_IFNAME.
    /// </summary>
    internal static bool TryParseLink(ushort type, ReadOnlySpan<byte> body, out int index, out string? name, out bool up)
    {
        index = 0;
        name = null;
        up = false;
        if ((type != Netlink.RtmNewLink && type != Netlink.RtmDelLink) || body.Length < Unsafe.SizeOf<ifinfomsg>())
        {
            return false;
        }
        var info = MemoryMarshal.Read<ifinfomsg>(body);
        index = info.ifi_index;
        if (type == Netlink.RtmDelLink)
        {
            return true;
        }
        var start = Netlink.Align(Unsafe.SizeOf<ifinfomsg>());
        name = NetlinkAttributes.FindString(start >= body.Length ? [] : body[start..], Netlink.IflaIfname);
        up = (info.ifi_flags & LinuxDefinitions.IffLowerUp) != 0;
        return name is not null;
    }
}
