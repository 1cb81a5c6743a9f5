using System.Text.Json.Serialization;
using Appliance.Engine.Import;

namespace Appliance.Web.Services;

/// <summary>
/// One remark of an import: <see cref="Line"/> is 1-based in the source (0 for the file as a whole or a
/// remark about a VHID), <see cref="Formatted"/> is compiler style (<c>ucarp.conf:4: warning: ...</c>).
/// </summary>
public sealed record ImportLine(int Line, string Severity, string Text, string Formatted)
{
    public ImportLine(int line, ImportSeverity severity, string text, string formatted)
        : this(line, severity.ToString().ToLowerInvariant(), text, formatted)
    {
    }

    [JsonIgnore]
    public bool IsError => Severity == "error";

    [JsonIgnore]
    public bool IsWarning => Severity == "warning";
}

/// <summary>What an import did: the VHIDs created, every message, and a one-line summary.</summary>
public sealed record ImportOutcome(
    IReadOnlyList<VhidDto> Created,
    IReadOnlyList<ImportLine> Messages,
    int Skipped,
    int Invalid,
    bool HasErrors,
    string Summary);
