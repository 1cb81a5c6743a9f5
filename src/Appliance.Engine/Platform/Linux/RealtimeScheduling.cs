using System.Runtime.InteropServices;

namespace Appliance.Engine.Platform.Linux;

/// <summary>
/// Puts the calling thread under SCHED_RR (docs/carp-protocol.md, 4.5 How the timers run): the engine's timer
/// thread and its receive thread then run before any ordinary thread of the machine, so a busy web server, a
/// build or a flood in the same or another process cannot delay an advert past master-down. .NET's
/// <c>Thread.Priority</c> is not applied on Linux, so this goes to the kernel directly. Both threads only ever
/// block (epoll, a timed wait) or do a few microseconds of work, and the kernel's RT throttling
/// (sched_rt_runtime_us) keeps a runaway real-time thread from taking a CPU entirely.
/// </summary>
internal static partial class RealtimeScheduling
{
    /// <summary>Low in the 1-99 range: above every ordinary thread, below the kernel's own real-time threads.</summary>
    public const int Priority = 10;

    private const int SchedRr = 2;

    /// <summary>Raises the calling thread; 0 on success, else the errno (EPERM without CAP_SYS_NICE: the thread stays as it was).</summary>
    public static int TryRaiseCurrentThread()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }
        var priority = Priority;
        // pid 0: the calling thread (Linux schedules threads, not processes; sched_setscheduler(2)).
        return SetScheduler(0, SchedRr, ref priority) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// Raises the runtime's server-GC threads (named ".NET Server GC") to the same priority. A collection suspends
    /// every managed thread, the engine's real-time ones included, until it is done; with ordinary GC threads on a
    /// busy machine that pause lasts as long as they wait for a CPU, not as long as their work (the load bench saw
    /// adverts 170-300 ms late with the engine's threads already real-time). Workstation GC collects on the
    /// allocating thread and has no such threads: then nothing is changed. Returns how many threads were raised.
    /// </summary>
    public static int TryRaiseGcThreads()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self/task"))
        {
            return 0;
        }
        var raised = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == ".NET Server GC"
                    && int.TryParse(Path.GetFileName(task), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var tid))
                {
                    var priority = Priority;
                    raised += SetScheduler(tid, SchedRr, ref priority) == 0 ? 1 : 0;
                }
            }
            catch (IOException)
            {
                // The thread ended while we looked.
            }
        }
        return raised;
    }

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SetScheduler(int pid, int policy, ref int param);
}
