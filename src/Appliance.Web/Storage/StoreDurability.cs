using System.Runtime.InteropServices;
using System.Text;
using LiteDB;
using Tmds.Linux;

namespace Appliance.Web.Storage;

/// <summary>
/// Makes every LiteDB commit reach the disk before the caller goes on (docs/storage.md). LiteDB 5.0.21 writes a
/// commit's pages into its log file (DIR/appliance-log.db) with plain write(2) calls and returns: the commit survives
/// the process being killed (the kernel's page cache holds it) but not a power loss. So after each write the log file
/// is fsynced here (and, the first time, the data directory, for the log file's directory entry); and LiteDB's own
/// checkpoint (copy the log into the data file, then truncate the log) is switched off in the file's header and run
/// here instead, right after an fsync, once the log holds <see cref="CheckpointPages"/> pages: the data file is only
/// ever overwritten from a log that is already on disk.
/// </summary>
internal sealed class StoreDurability(LiteDatabase database, string logPath) : IDisposable
{
    /// <summary>LiteDB's own default for its CHECKPOINT pragma: 1000 pages of 8 KiB.</summary>
    public const int CheckpointPages = 1000;

    private const int PageSize = 8192;

    private readonly Lock _gate = new();
    private FileStream? _log;
    private bool _disposed;

    /// <summary>The log file next to <paramref name="dataFile"/>, named as LiteDB names it (appliance.db: appliance-log.db).</summary>
    public static string LogPathOf(string dataFile) =>
        Path.Combine(Path.GetDirectoryName(dataFile)!, Path.GetFileNameWithoutExtension(dataFile) + "-log" + Path.GetExtension(dataFile));

    /// <summary>Turns LiteDB's automatic checkpoint off (a header pragma, kept in the file); a no-op when it is off already.</summary>
    public static void DisableAutomaticCheckpoint(LiteDatabase database)
    {
        if (database.Pragma("CHECKPOINT").AsInt32 != 0)
        {
            database.Pragma("CHECKPOINT", 0);
        }
    }

    /// <summary>Runs one write (one LiteDB commit) and returns once it is on disk.</summary>
    public T Commit<T>(Func<T> write)
    {
        var result = write();
        Flush();
        return result;
    }

    /// <summary>fsync(2) of the log file; a checkpoint when the log has grown past <see cref="CheckpointPages"/>.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_log is null)
            {
                if (!File.Exists(logPath))
                {
                    return; // no commit has written anything yet (an update that matched nothing)
                }
                // fsync flushes the file's pages whichever descriptor wrote them: a handle of our own does.
                _log = new FileStream(logPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                SyncDirectory(Path.GetDirectoryName(logPath)!);
            }
            _log.Flush(flushToDisk: true);
            if (_log.Length >= (long)CheckpointPages * PageSize)
            {
                // Writes the data file, fsyncs it, then truncates the log (LiteDB's order): every step after our fsync.
                database.Checkpoint();
            }
        }
    }

    /// <summary>Folds the log into the data file (a clean stop leaves one file; LiteDB then removes the empty log).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _log?.Flush(flushToDisk: true);
            _log?.Dispose();
            database.Checkpoint();
        }
    }

    /// <summary>fsync(2) of a directory: a file created in it (the log) is only found after a power loss once its entry is on disk.</summary>
    private static unsafe void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var bytes = Encoding.UTF8.GetBytes(directory + "\0");
        int fd;
        fixed (byte* name = bytes)
        {
            fd = LibC.open(name, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        }
        if (fd < 0)
        {
            throw new IOException($"cannot open {directory}: {Marshal.GetPInvokeErrorMessage(LibC.errno)}");
        }
        try
        {
            if (LibC.fsync(fd) != 0)
            {
                throw new IOException($"fsync {directory}: {Marshal.GetPInvokeErrorMessage(LibC.errno)}");
            }
        }
        finally
        {
            _ = LibC.close(fd);
        }
    }
}
