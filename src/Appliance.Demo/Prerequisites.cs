using System.Diagnostics;
using Tmds.Linux;

namespace Appliance.Demo;

/// <summary>
/// What the demo needs from the machine: root (namespaces, raw sockets) and three Debian packages,
/// installed with apt-get only when missing. While apt installs apache2, a temporary policy-rc.d
/// keeps Debian from starting the stock apache2 service in the host's own network: the demo's
/// Apache servers run only inside the lab.
/// </summary>
internal static class Prerequisites
{
    private const string PolicyRcD = "/usr/sbin/policy-rc.d";

    /// <summary>Package, and the file that proves it is installed.</summary>
    private static readonly (string Package, string File)[] Packages =
    [
        ("apache2", "/usr/sbin/apache2"),
        ("iproute2", "/usr/bin/ip"),
        ("curl", "/usr/bin/curl"),
    ];

    /// <summary>Null when everything is there (after installing what was missing), else the problem.</summary>
    public static string? Ensure(DemoConsole console)
    {
        if (LibC.geteuid() != 0)
        {
            return "demo: must run as root (it creates network namespaces and runs the appliance's CARP engine): sudo ./appliance demo";
        }
        var missing = Packages.Where(p => !IsInstalled(p.Package, p.File)).Select(p => p.Package).ToList();
        if (missing.Count == 0)
        {
            return null;
        }
        console.WriteLine($"demo: installing {string.Join(" ", missing)} (apt-get)");
        var ownPolicy = !File.Exists(PolicyRcD);
        try
        {
            if (ownPolicy)
            {
                // Exit 101 = "action forbidden by policy": the package is installed, its service not started.
                File.WriteAllText(PolicyRcD, "#!/bin/sh\n# Temporary, written by `appliance demo` during apt-get install.\nexit 101\n");
                File.SetUnixFileMode(PolicyRcD, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }
            if (Apt(["-o", "DPkg::Lock::Timeout=300", "update", "-qq"]) is { } updateError)
            {
                return updateError;
            }
            if (Apt(["-o", "DPkg::Lock::Timeout=300", "install", "-y", "-qq", "--no-install-recommends", .. missing]) is { } installError)
            {
                return installError;
            }
        }
        finally
        {
            if (ownPolicy)
            {
                File.Delete(PolicyRcD);
            }
        }
        var still = Packages.Where(p => !IsInstalled(p.Package, p.File)).Select(p => p.Package).ToList();
        return still.Count == 0 ? null : $"demo: still missing after apt-get: {string.Join(" ", still)}";
    }

    private static bool IsInstalled(string package, string file) =>
        File.Exists(file) || (package == "iproute2" && File.Exists("/sbin/ip"));

    private static string? Apt(IReadOnlyList<string> args)
    {
        var psi = new ProcessStartInfo("apt-get") { UseShellExecute = false };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        try
        {
            using var process = Process.Start(psi)!;
            if (!process.WaitForExit(TimeSpan.FromMinutes(15)))
            {
                process.Kill(entireProcessTree: true);
                return $"demo: apt-get {string.Join(' ', args)} did not finish within 15 minutes";
            }
            return process.ExitCode == 0 ? null : $"demo: apt-get {string.Join(' ', args)} failed (exit {process.ExitCode})";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"demo: apt-get is not available ({ex.Message}); install apache2, iproute2 and curl yourself";
        }
    }
}
