using System.Globalization;

namespace Appliance.Bench;

/// <summary>Resident memory and CPU time of processes, read from /proc.</summary>
internal static class ProcStats
{
    // USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)).
    private const double TicksPerSecond = 100;

    /// <summary>The process and all its descendants (from /proc/PID/task/*/children), parent first.</summary>
    public static IReadOnlyList<int> WithChildren(int pid)
    {
        var result = new List<int>();
        var queue = new Queue<int>();
        queue.Enqueue(pid);
        while (queue.Count > 0 && result.Count < 64)
        {
            var p = queue.Dequeue();
            result.Add(p);
            try
            {
                foreach (var task in Directory.GetDirectories($"/proc/{p}/task"))
                {
                    var children = File.ReadAllText(Path.Combine(task, "children"));
                    foreach (var c in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        queue.Enqueue(int.Parse(c, CultureInfo.InvariantCulture));
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile.
            }
        }
        return result;
    }

    /// <summary>VmRSS in KiB, 0 when the process is gone.</summary>
    public static long RssKb(int pid) => StatusField(pid, "VmRSS:");

    /// <summary>VmHWM (peak RSS) in KiB, 0 when the process is gone.</summary>
    public static long HwmKb(int pid) => StatusField(pid, "VmHWM:");

    /// <summary>The number of threads, 0 when the process is gone.</summary>
    public static int Threads(int pid) => (int)StatusField(pid, "Threads:");

    /// <summary>The first number on the line of /proc/PID/status that starts with <paramref name="name"/>; 0 when absent or gone.</summary>
    private static long StatusField(int pid, string name)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>utime + stime in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After "pid (comm) ": state is field 3, utime 14, stime 15 (1-based) -> index 11, 12 here.
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return ticks / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The whole machine's CPU ticks (first line of /proc/stat): busy (all but idle and iowait) and total.</summary>
    public static (long Busy, long Total) MachineTicks()
    {
        var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal (guest time is already counted in user).
        var total = f.Take(8).Sum();
        return (total - f[3] - f[4], total);
    }

    /// <summary>Runnable tasks on the whole machine now (procs_running in /proc/stat), this reader included.</summary>
    public static int RunQueue() =>
        int.Parse(File.ReadLines("/proc/stat").First(l => l.StartsWith("procs_running ", StringComparison.Ordinal))["procs_running ".Length..], CultureInfo.InvariantCulture);

    public static long TotalRssKb(IEnumerable<int> pids) => pids.Sum(RssKb);

    public static double TotalCpuSeconds(IEnumerable<int> pids) => pids.Sum(CpuSeconds);
}
