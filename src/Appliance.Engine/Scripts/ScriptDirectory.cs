using System.Globalization;
using System.Runtime.InteropServices;

namespace Appliance.Engine.Scripts;

/// <summary>One entry of a scripts directory: its name, and why it cannot run when it cannot (null when usable).</summary>
public sealed record ScriptStatus(string Name, bool Usable, string? Reason);

/// <summary>
/// The one place that decides what a script name means for anything configured over HTTP (up/down scripts,
/// "command" health checks): a plain file name ([A-Za-z0-9._-], not '.', '..' or starting with '-') in
/// <see cref="Path"/>, usable when it is a regular file (a symlink is refused), executable, owned by root or
/// the service user (the process's effective uid) and not writable by group or others, in a directory owned by
/// root or the service user and not writable by group or others. The file is checked again right before each run
/// of a command check. <c>appliance carp</c> does not use this: it keeps ucarp's free script paths.
/// </summary>
public sealed partial class ScriptDirectory
{
    public const string NoSuchScript = "no such script";

    public ScriptDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));
    }

    /// <summary>The directory, absolute.</summary>
    public string Path { get; }

    /// <summary>A plain file name as a script name: letters, digits, '.', '_', '-'; no '/', not '.'/'..', no leading '-'.</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 255 && name is not ("." or "..") && name[0] != '-'
        && name.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-');

    /// <summary>The full path of a valid script name.</summary>
    public string FullPath(string name) => System.IO.Path.Join(Path, name);

    /// <summary>Null when <paramref name="name"/> names a usable script, else the reason in a few words.</summary>
    public string? Check(string? name)
    {
        if (!IsValidName(name))
        {
            return "not a script name (letters, digits, '.', '_' and '-' only, no '/')";
        }
        return CheckDirectory(Path) ?? CheckFile(FullPath(name!));
    }

    /// <summary>Every entry of the directory, sorted by name; empty when the directory does not exist.</summary>
    public IReadOnlyList<ScriptStatus> List()
    {
        if (!Directory.Exists(Path))
        {
            return [];
        }
        var directoryProblem = CheckDirectory(Path);
        return Directory.EnumerateFileSystemEntries(Path)
            .Select(entry => System.IO.Path.GetFileName(entry))
            .Order(StringComparer.Ordinal)
            .Select(name =>
            {
                var reason = IsValidName(name) ? directoryProblem ?? CheckFile(FullPath(name)) : Check(name);
                return new ScriptStatus(name, reason is null, reason);
            })
            .ToList();
    }

    /// <summary>
    /// Null when the absolute <paramref name="fullPath"/> is a usable script by the same rules (its directory
    /// included); used right before a run, so a script made writable after it was saved does not run.
    /// </summary>
    public static string? CheckPath(string fullPath)
    {
        if (!System.IO.Path.IsPathFullyQualified(fullPath) || System.IO.Path.GetDirectoryName(fullPath) is not { } directory)
        {
            return "not a script in the scripts directory";
        }
        return CheckDirectory(directory) ?? CheckFile(fullPath);
    }

    private static string? CheckDirectory(string directory)
    {
        if (!TryStat(directory, followLinks: true, out var st))
        {
            return "no scripts directory";
        }
        if ((st.Mode & FileTypeMask) != DirectoryType)
        {
            return "the scripts directory is not a directory";
        }
        if (!TrustedOwner(st.Uid))
        {
            return $"directory owned by uid {st.Uid.ToString(CultureInfo.InvariantCulture)}";
        }
        return (st.Mode & GroupOrOthersWrite) != 0 ? "directory writable by group or others" : null;
    }

    private static string? CheckFile(string path)
    {
        if (!TryStat(path, followLinks: false, out var st))
        {
            return NoSuchScript;
        }
        if ((st.Mode & FileTypeMask) != RegularType)
        {
            return "not a regular file";
        }
        if (!TrustedOwner(st.Uid))
        {
            return $"owned by uid {st.Uid.ToString(CultureInfo.InvariantCulture)}";
        }
        if ((st.Mode & GroupOrOthersWrite) != 0)
        {
            return "writable by group or others";
        }
        return (st.Mode & AnyExecute) == 0 ? "not executable" : null;
    }

    private static bool TrustedOwner(uint uid) => uid == 0 || uid == geteuid();

    private const int FileTypeMask = 0xF000;
    private const int RegularType = 0x8000;
    private const int DirectoryType = 0x4000;
    private const int GroupOrOthersWrite = 0x12; // 0022
    private const int AnyExecute = 0x49; // 0111

    private readonly record struct Stat(uint Uid, int Mode);

    // statx(2): its struct is the same on every architecture (unlike struct stat): stx_uid at 20, stx_mode at 28.
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxMode = 0x2;
    private const uint StatxUid = 0x8;

    private static unsafe bool TryStat(string path, bool followLinks, out Stat stat)
    {
        var buffer = stackalloc byte[256];
        if (statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxMode | StatxUid, buffer) != 0)
        {
            stat = default;
            return false;
        }
        stat = new Stat(*(uint*)(buffer + 20), *(ushort*)(buffer + 28));
        return true;
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int statx(int dirfd, string pathname, int flags, uint mask, byte* statxbuf);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
