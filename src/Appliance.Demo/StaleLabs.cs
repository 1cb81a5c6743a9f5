using System.Globalization;
using Appliance.Lab;

namespace Appliance.Demo;

/// <summary>
/// Removes what a demo (or lab test) killed with SIGKILL left behind: namespaces named
/// <c>apl-&lt;id&gt;-…</c> whose owner file in /run/appliance-lab names a process that is gone, plus
/// their work directory. Labs of live processes (another demo, a test run) are never touched,
/// and namespaces without an owner file are left alone.
/// </summary>
internal static class StaleLabs
{
    private const string OwnerDirectory = "/run/appliance-lab";

    public static void Remove(DemoConsole console)
    {
        if (!Directory.Exists(OwnerDirectory))
        {
            return;
        }
        foreach (var ownerFile in Directory.GetFiles(OwnerDirectory))
        {
            var id = Path.GetFileName(ownerFile);
            if (!int.TryParse(File.ReadAllText(ownerFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || Directory.Exists($"/proc/{pid}"))
            {
                continue;
            }
            var namespaces = NetworkLab.ListNamespaces().Where(ns => ns.StartsWith($"{NetworkLab.Prefix}{id}-", StringComparison.Ordinal)).ToList();
            foreach (var ns in namespaces)
            {
                Run("ip", "netns", "pids", ns).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
                    .Where(n => n > 1 && n != Environment.ProcessId)
                    .ToList()
                    .ForEach(n => Tmds.Linux.LibC.kill(n, Tmds.Linux.LibC.SIGKILL));
            }
            foreach (var ns in namespaces)
            {
                Run("ip", "netns", "del", ns);
            }
            var work = Path.Combine(Path.GetTempPath(), $"{NetworkLab.Prefix}{id}");
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
            File.Delete(ownerFile);
            console.WriteLine($"demo: removed the leftovers of an earlier run that was killed (lab {id}: {namespaces.Count} namespaces)");
        }
    }

    private static string Run(string file, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        using var process = System.Diagnostics.Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit(TimeSpan.FromSeconds(20));
        return output;
    }
}
