namespace Appliance.Engine.Import;

/// <summary>
/// How a ucarp <c>--passfile</c> / <c>UCARP_PASSFILE</c> becomes a password: the one edge where an import or a carp
/// command line reads a file. True with the password, or false with the error to report.
/// </summary>
public delegate bool PasswordFileReader(string path, out string? password, out string? error);

/// <summary>The password file policies: ucarp's (<c>appliance carp</c>), capped (<c>appliance import</c>), none (the web).</summary>
public static class PasswordFiles
{
    /// <summary>What <c>appliance import</c> reads of a password file at most.</summary>
    public const int ImportMaxBytes = 4096;

    /// <summary>The web import's one answer to a password file, whatever the path and whether it exists.</summary>
    public const string WebRefusal =
        "passfile: the web import does not read server files; put the password in the form or use `appliance import` on the node";

    /// <summary>ucarp's behaviour: the first line of the file, any size.</summary>
    public static readonly PasswordFileReader Unlimited = (string path, out string? password, out string? error) =>
        TryReadFirstLine(path, maxBytes: null, out password, out error);

    /// <summary>The first line of a file of at most <paramref name="maxBytes"/> bytes; a larger file is an error.</summary>
    public static PasswordFileReader Capped(int maxBytes) => (string path, out string? password, out string? error) =>
        TryReadFirstLine(path, maxBytes, out password, out error);

    /// <summary>
    /// Reads nothing: every password file is refused with <see cref="WebRefusal"/> (the file is never opened or
    /// stat'ed); <paramref name="used"/> is called so the caller can refuse the whole request.
    /// </summary>
    public static PasswordFileReader Refused(Action used) => (string _, out string? password, out string? error) =>
    {
        used();
        password = null;
        error = WebRefusal;
        return false;
    };

    private static bool TryReadFirstLine(string path, int? maxBytes, out string? password, out string? error)
    {
        password = null;
        error = null;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read);
            var limit = maxBytes ?? int.MaxValue;
            var buffer = new MemoryStream();
            var chunk = new byte[4096];
            int read;
            while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > limit)
                {
                    error = $"--passfile: {path} is larger than {limit} bytes; a password file holds one line";
                    return false;
                }
            }
            // ucarp: the first line, only '\n' stripped (a CRLF file keeps its '\r').
            var text = new StreamReader(new MemoryStream(buffer.ToArray())).ReadToEnd();
            var nl = text.IndexOf('\n', StringComparison.Ordinal);
            password = nl >= 0 ? text[..nl] : text;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"--passfile: cannot read {path}: {ex.Message}";
            return false;
        }
    }
}
