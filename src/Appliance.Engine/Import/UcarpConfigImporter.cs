using System.Text.RegularExpressions;

namespace Appliance.Engine.Import;

/// <summary>
/// Imports an existing ucarp setup: the seed's <c>/etc/ucarp/ucarp.conf</c> (shell <c>UCARP_*</c> variables)
/// or Debian's <c>/etc/network/interfaces</c> with <c>ucarp-*</c> options. The format is detected from the
/// text. Imported VHIDs have <c>ManageVip</c> set: the appliance adds the VIP itself. Every line that is not
/// imported gets a message saying why; a bad value is an error naming its setting and keeps its VHID out.
/// </summary>
public static partial class UcarpConfigImporter
{
    /// <param name="passwordFile">How UCARP_PASSFILE / ucarp-passfile / --passfile is read; null reads it as ucarp does.</param>
    public static ImportResult Parse(string text, string sourceName, PasswordFileReader? passwordFile = null)
    {
        passwordFile ??= PasswordFiles.Unlimited;
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var format = DetectFormat(text);
        var messages = new List<ImportMessage>();
        var vhids = format == UcarpConfigFormat.DebianInterfaces
            ? DebianInterfacesImporter.Import(lines, messages, passwordFile)
            : ShellVariablesImporter.Import(lines, messages, passwordFile);
        if (vhids.Count == 0 && !messages.Any(m => m.Severity == ImportSeverity.Error))
        {
            messages.Add(new ImportMessage(0, format == UcarpConfigFormat.DebianInterfaces
                ? "no interface stanza with ucarp-vid, ucarp-vip and ucarp-password: nothing to import"
                : "no UCARP_* settings found: nothing to import", ImportSeverity.Warning));
        }
        return new ImportResult(vhids, messages.OrderBy(m => m.Line).ToList())
        {
            SourceName = sourceName,
            Format = format,
        };
    }

    /// <summary>Debian interfaces when a line starts with an ifupdown keyword or a ucarp- option, else shell variables.</summary>
    public static UcarpConfigFormat DetectFormat(string text)
    {
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            if (InterfacesKeyword().IsMatch(line))
            {
                return UcarpConfigFormat.DebianInterfaces;
            }
        }
        return UcarpConfigFormat.ShellVariables;
    }

    [GeneratedRegex(@"^(iface|auto|mapping|source|source-directory|allow-[a-z-]+|ucarp-[a-z]+)(\s|$)")]
    private static partial Regex InterfacesKeyword();
}
