using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Appliance.Engine.Diagnostics;
using Tmds.Linux;

namespace Appliance.Web.Hosting;

/// <summary>
/// The data directory belongs to one process: `serve` and `import` hold an open file description lock
/// (fcntl F_OFD_SETLK, so two opens in one process conflict too) on DIR/.lock, created 0600, with the
/// holder's PID in it. The kernel drops the lock when the process ends, however it ends. A second process
/// is refused (exit 1) before it opens the store or touches the engine.
/// </summary>
public sealed partial class DataDirectoryLock : IDisposable
{
    public const string FileName = ".lock";

    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    // <fcntl.h> on Linux (every architecture): F_OFD_SETLK, F_WRLCK, SEEK_SET; <sys/file.h>: LOCK_EX, LOCK_NB.
    private const int FOfdSetLk = 37;
    private const short FWrLck = 1;
    private const int LockEx = 2;
    private const int LockNb = 4;

    /// <summary>How long a second process waits for the holder to have written its PID.</summary>
    private static readonly TimeSpan PidWait = TimeSpan.FromSeconds(2);

    private readonly int _fd;
    private bool _disposed;

    private DataDirectoryLock(string directory, int fd)
    {
        Directory = directory;
        _fd = fd;
    }

    /// <summary>The full path of the locked directory.</summary>
    public string Directory { get; }

    /// <summary>
    /// Creates DIR (0700) if needed and locks it, or throws <see cref="ApplianceStartupException"/> (exit 1)
    /// "data directory DIR is in use by process N" when another open file description holds the lock.
    /// </summary>
    public static DataDirectoryLock Acquire(string dataDirectory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var directory = Path.GetFullPath(dataDirectory);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                throw new PlatformNotSupportedException("the appliance runs on Linux");
            }
            System.IO.Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ApplianceStartupException($"cannot create the data directory {directory}: {ex.Message}", ApplianceStartupException.Failure);
        }
        var path = Path.Combine(directory, FileName);
        var fd = Open(path);
        if (!TryLock(fd, out var errno))
        {
            var holder = ReadHolder(fd, time);
            LibC.close(fd);
            if (errno != LibC.EAGAIN && errno != LibC.EACCES)
            {
                throw new ApplianceStartupException($"cannot lock {path}: {Marshal.GetPInvokeErrorMessage(errno)}", ApplianceStartupException.Failure);
            }
            var by = holder is { } pid ? "process " + pid.ToString(CultureInfo.InvariantCulture) : "another process";
            throw new ApplianceStartupException($"data directory {directory} is in use by {by}", ApplianceStartupException.Failure);
        }
        WritePid(fd);
        return new DataDirectoryLock(directory, fd);
    }

    /// <summary>
    /// DIR 0700, every directory under it 0700 and every file 0600, existing ones too; each correction is logged.
    /// </summary>
    public void RestrictModes(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        Restrict(Directory, OwnerOnlyDirectory, logger);
        foreach (var entry in new DirectoryInfo(Directory).EnumerateFileSystemInfos("*", new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = FileAttributes.None,
            IgnoreInaccessible = true,
        }))
        {
            if (entry.LinkTarget is not null)
            {
                continue; // a symlink's mode means nothing, and chmod would follow it out of DIR
            }
            Restrict(entry.FullName, entry is DirectoryInfo ? OwnerOnlyDirectory : OwnerOnlyFile, logger);
        }
    }

    /// <summary>umask 077 for the whole process: files the store creates later (LiteDB's log file) are born 0600.</summary>
    public static void RestrictNewFiles()
    {
        if (!OperatingSystem.IsWindows())
        {
            LibC.umask(0b000_111_111);
        }
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            LibC.close(_fd); // closing the last descriptor of the description releases the lock
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void Restrict(string path, UnixFileMode wanted, ILogger logger)
    {
        try
        {
            var mode = File.GetUnixFileMode(path);
            if (mode != wanted)
            {
                File.SetUnixFileMode(path, wanted);
                LogModeCorrected(logger, path, Octal(mode), Octal(wanted));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Someone else's file (chmod is the owner's) or one removed meanwhile: said, not fatal.
            LogModeNotCorrected(logger, path, ex.Message);
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');

    private static unsafe int Open(string path)
    {
        int fd;
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* name = bytes)
        {
            fd = LibC.open(name, LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, 0b110_000_000);
        }
        if (fd < 0)
        {
            throw new ApplianceStartupException($"cannot open {path}: {Marshal.GetPInvokeErrorMessage(LibC.errno)}", ApplianceStartupException.Failure);
        }
        // An existing lock file keeps its mode through open(2); the holder's PID is nobody else's business either.
        _ = LibC.fchmod(fd, 0b110_000_000);
        return fd;
    }

    private static bool TryLock(int fd, out int errno)
    {
        var request = new FileLock { Type = FWrLck, Whence = 0, Start = 0, Length = 0, Pid = 0 };
        if (FcntlLock(fd, FOfdSetLk, ref request) == 0)
        {
            errno = 0;
            return true;
        }
        errno = Marshal.GetLastPInvokeError();
        if (errno != LibC.EINVAL)
        {
            return false;
        }
        // Kernels before 3.15 have no OFD locks: flock(2) is per open file description as well.
        if (Flock(fd, LockEx | LockNb) == 0)
        {
            errno = 0;
            return true;
        }
        errno = Marshal.GetLastPInvokeError(); // EWOULDBLOCK is EAGAIN on Linux
        return false;
    }

    private static unsafe void WritePid(int fd)
    {
        var bytes = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        _ = LibC.ftruncate(fd, 0);
        fixed (byte* data = bytes)
        {
            _ = LibC.pwrite(fd, data, bytes.Length, 0);
        }
    }

    /// <summary>The holder's PID; it writes it right after locking, so a racing reader waits for it (at most ~2 s).</summary>
    private static unsafe int? ReadHolder(int fd, TimeProvider time)
    {
        var buffer = new byte[32];
        var deadline = time.GetUtcNow() + PidWait;
        while (true)
        {
            long read;
            fixed (byte* data = buffer)
            {
                read = LibC.pread(fd, data, buffer.Length, 0);
            }
            var text = read > 0 ? Encoding.ASCII.GetString(buffer, 0, (int)read) : "";
            if (text.EndsWith('\n') && int.TryParse(text.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                return pid;
            }
            if (time.GetUtcNow() >= deadline)
            {
                return null;
            }
            Task.Delay(TimeSpan.FromMilliseconds(50), time).GetAwaiter().GetResult();
        }
    }

    [LoggerMessage(EventId = LogEventIds.WebHosting + 40, Level = LogLevel.Warning, Message = "Data directory: {Path} was mode {Mode}, corrected to {Wanted} (owner only).")]
    private static partial void LogModeCorrected(ILogger logger, string path, string mode, string wanted);

    [LoggerMessage(EventId = LogEventIds.WebHosting + 41, Level = LogLevel.Warning, Message = "Data directory: cannot make {Path} owner-only: {Reason}")]
    private static partial void LogModeNotCorrected(ILogger logger, string path, string reason);

    /// <summary>struct flock on 64-bit Linux (off_t is 64 bits).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct FileLock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlLock(int fd, int command, ref FileLock request);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);
}
