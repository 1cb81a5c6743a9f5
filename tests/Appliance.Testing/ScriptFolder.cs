namespace Appliance.Testing;

/// <summary>
/// A scripts directory for a test (0755, owned by the test's user), deleted afterwards. Scripts are /bin/sh
/// files installed with a mode and, optionally, another owner (tests run as root).
/// </summary>
public sealed class ScriptFolder : IDisposable
{
    public const UnixFileMode Executable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public ScriptFolder()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("scripts directories are checked on Linux");
        }
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "appliance-scripts-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path, Executable);
        File.SetUnixFileMode(Path, Executable);
    }

    public string Path { get; }

    /// <summary>Writes <c>#!/bin/sh</c> and <paramref name="body"/> as <paramref name="name"/>; returns its full path.</summary>
    public string Install(string name, string body, UnixFileMode mode = Executable, int? owner = null)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("scripts directories are checked on Linux");
        }
        var path = System.IO.Path.Combine(Path, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, mode);
        if (owner is { } uid)
        {
            using var chown = System.Diagnostics.Process.Start("chown", [uid.ToString(System.Globalization.CultureInfo.InvariantCulture), path])!;
            chown.WaitForExit();
            Assert.Equal(0, chown.ExitCode);
        }
        return path;
    }

    /// <summary>A script that writes each of its arguments on a line of <paramref name="output"/> (printf, no shell evaluation of them).</summary>
    public string InstallArgumentRecorder(string name, string output) =>
        Install(name, $"printf '%s\\n' \"$@\" > '{output}'");

    /// <summary>chmod.</summary>
    public static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("scripts directories are checked on Linux");
        }
        File.SetUnixFileMode(path, mode);
    }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
