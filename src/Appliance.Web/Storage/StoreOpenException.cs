namespace Appliance.Web.Storage;

/// <summary>
/// The store file exists but cannot be opened (corrupt header page, another format, a LiteDB database LiteDB refuses).
/// The file was not changed. `serve` and `import` print the message and exit 78 (EX_CONFIG).
/// </summary>
public sealed class StoreOpenException(string filePath, string reason)
    : Exception($"cannot open the store {filePath}: {reason.ReplaceLineEndings(" ")}; restore it from a backup or move it away to start empty")
{
    public string FilePath { get; } = filePath;
    public string Reason { get; } = reason;
}
