using Tmds.Linux;

namespace Appliance.Engine.Platform.Linux;

/// <summary>
/// A dedicated background thread blocked in poll(2) on one descriptor plus an eventfd. It calls
/// <c>onReadable</c> the moment the descriptor becomes readable, so nothing waits on a timer or the
/// thread pool; Dispose writes the eventfd and joins the thread.
/// </summary>
internal sealed unsafe class PollThread : IDisposable
{
    private readonly SafeFd _watched;
    private readonly SafeFd _stop;
    private readonly Action _onReadable;
    private readonly Thread _thread;
    private int _disposed;
    private bool _started;

    public PollThread(string name, SafeFd watched, Action onReadable)
    {
        _watched = watched;
        _onReadable = onReadable;
        _stop = SafeFd.FromResult(LibC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK), "eventfd");
        _thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    public void Start()
    {
        _thread.Start();
        _started = true;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (_started)
        {
            ulong one = 1;
            using (var lease = _stop.Acquire())
            {
                Errno.Check((int)(long)LibC.write(lease.Fd, &one, sizeof(ulong)), "write(eventfd)");
            }
            if (Thread.CurrentThread != _thread)
            {
                _thread.Join();
            }
        }
        _stop.Dispose();
    }

    private void Run()
    {
        using var watched = _watched.Acquire();
        using var stop = _stop.Acquire();
        var fds = stackalloc pollfd[2];
        while (true)
        {
            fds[0] = new pollfd { fd = watched.Fd, events = LibC.POLLIN };
            fds[1] = new pollfd { fd = stop.Fd, events = LibC.POLLIN };
            var ready = LibC.poll(fds, 2, -1);
            if (ready < 0)
            {
                if (Errno.Last == LibC.EINTR)
                {
                    continue;
                }
                return;
            }
            var hungUp = (fds[0].revents & (LibC.POLLHUP | LibC.POLLIN)) == LibC.POLLHUP;
            if (fds[1].revents != 0 || (fds[0].revents & LibC.POLLNVAL) != 0 || hungUp)
            {
                return;
            }
            if ((fds[0].revents & (LibC.POLLIN | LibC.POLLERR)) != 0)
            {
                // POLLERR is consumed by the next recv (sock_error clears sk_err), so this cannot spin.
                _onReadable();
            }
        }
    }
}
