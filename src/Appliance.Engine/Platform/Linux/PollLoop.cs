using Tmds.Linux;

namespace Appliance.Engine.Platform.Linux;

/// <summary>
/// One dedicated background thread blocked in epoll_wait(2) on every registered descriptor (each VHID's CARP
/// socket, the link watchers' netlink sockets). It calls a descriptor's <c>onReadable</c> the
/// moment that descriptor becomes readable, so nothing waits on a timer or the thread pool, and 255 VHIDs
/// cost one thread, not 255. Callbacks run one at a time and must be short (a recv and a decode). One loop
/// serves the whole process (<see cref="Shared"/>): a channel may outlive the data plane that opened it.
/// </summary>
internal sealed unsafe class PollLoop
{
    private const int MaxEventsPerWake = 64;

    private readonly string _name;
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, Registration> _registrations = [];
    private readonly SafeFd _epoll;
    private ulong _nextToken = 1;
    private Thread? _thread;

    private PollLoop(string name)
    {
        _name = name;
        _epoll = SafeFd.FromResult(LibC.epoll_create1(LibC.EPOLL_CLOEXEC), "epoll_create1");
    }

    /// <summary>The process's receive loop; its thread starts with the first registration.</summary>
    public static PollLoop Shared { get; } = new("carp-rx");

    /// <summary>
    /// Watches <paramref name="watched"/> until the returned registration is disposed (which also waits out a
    /// callback in flight, so the descriptor may be closed right after) or the descriptor hangs up.
    /// </summary>
    public IDisposable Register(SafeFd watched, Action onReadable)
    {
        var registration = new Registration(this, watched, onReadable);
        lock (_lock)
        {
            registration.Token = _nextToken++;
            try
            {
                Control(LibC.EPOLL_CTL_ADD, registration.Lease.Fd, registration.Token, "epoll_ctl(ADD)");
            }
            catch
            {
                registration.Lease.Dispose();
                throw;
            }
            _registrations.Add(registration.Token, registration);
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = _name };
                _thread.Start();
            }
        }
        return registration;
    }

    private void Control(int operation, int fd, ulong token, string call)
    {
        var ev = new epoll_event { events = LibC.EPOLLIN };
        ev.data.u64 = token;
        using var epoll = _epoll.Acquire();
        Errno.Check(LibC.epoll_ctl(epoll.Fd, operation, fd, &ev), call);
    }

    private void Unregister(Registration registration)
    {
        lock (_lock)
        {
            if (!_registrations.Remove(registration.Token))
            {
                return;
            }
            // The descriptor is still open (the registration holds a lease), so DEL cannot hit a reused number.
            Control(LibC.EPOLL_CTL_DEL, registration.Lease.Fd, 0, "epoll_ctl(DEL)");
        }
    }

    private Registration? Find(ulong token)
    {
        lock (_lock)
        {
            return _registrations.GetValueOrDefault(token);
        }
    }

    private void Run()
    {
        RealtimeScheduling.TryRaiseCurrentThread();
        using var epoll = _epoll.Acquire();
        var events = stackalloc epoll_event[MaxEventsPerWake];
        while (true)
        {
            var ready = LibC.epoll_wait(epoll.Fd, events, MaxEventsPerWake, -1);
            if (ready < 0)
            {
                if (Errno.Last == LibC.EINTR)
                {
                    continue;
                }
                return;
            }
            for (var i = 0; i < ready; i++)
            {
                var flags = events[i].events;
                var registration = Find(events[i].data.u64);
                if (registration is null)
                {
                    // Unregistered after this batch was read.
                    continue;
                }
                if ((flags & (LibC.EPOLLHUP | LibC.EPOLLIN)) == LibC.EPOLLHUP)
                {
                    registration.Dispose();
                }
                else if ((flags & (LibC.EPOLLIN | LibC.EPOLLERR)) != 0)
                {
                    // EPOLLERR is consumed by the next recv (sock_error clears sk_err), so this cannot spin.
                    registration.Dispatch();
                }
            }
        }
    }

    private sealed class Registration(PollLoop owner, SafeFd watched, Action onReadable) : IDisposable
    {
        private readonly Lock _gate = new();
        private bool _removed;

        public SafeFd.Lease Lease { get; } = watched.Acquire();

        public ulong Token { get; set; }

        public void Dispatch()
        {
            lock (_gate)
            {
                if (!_removed)
                {
                    onReadable();
                }
            }
        }

        public void Dispose()
        {
            owner.Unregister(this);
            // Waits for a callback in flight on the loop thread (a reentrant Lock: a callback may dispose its own registration).
            lock (_gate)
            {
                if (_removed)
                {
                    return;
                }
                _removed = true;
            }
            Lease.Dispose();
        }
    }
}
