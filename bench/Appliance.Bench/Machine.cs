using System.Diagnostics;

namespace Appliance.Bench;

/// <summary>Facts about the machine and the installed versions, for the report.</summary>
internal static class Machine
{
    public static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";

    public static double MemoryGiB()
    {
        var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
    }

    public static string Kernel() => File.ReadAllText("/proc/sys/kernel/osrelease").Trim();

    public static string Package(string name) => Run("dpkg-query", "-W", "-f", "${Version}", name);

    public static string DotnetSdk() => Run("dotnet", "--version");

    private static string Run(string file, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit(10_000);
            return output.Trim().Split('\n')[0];
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }
}
