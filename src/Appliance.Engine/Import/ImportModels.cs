using Appliance.Engine.StateMachine;

namespace Appliance.Engine.Import;

public enum ImportSeverity
{
    /// <summary>Nothing lost: a line that is deliberately left out, with the reason.</summary>
    Info,
    /// <summary>A line that could not be mapped; the rest of the import is still usable.</summary>
    Warning,
    /// <summary>A bad value; the VHID it belongs to was not imported.</summary>
    Error,
}

/// <summary>One remark about the imported text. <see cref="Line"/> is 1-based; 0 means the file as a whole.</summary>
public sealed record ImportMessage(int Line, string Text, ImportSeverity Severity)
{
    /// <summary>Compiler style: <c>ucarp.conf:4: warning: ...</c>.</summary>
    public string Format(string sourceName) =>
        Line > 0
            ? $"{sourceName}:{Line}: {Severity.ToString().ToLowerInvariant()}: {Text}"
            : $"{sourceName}: {Severity.ToString().ToLowerInvariant()}: {Text}";
}

public enum UcarpConfigFormat
{
    /// <summary>Shell variables (<c>UCARP_VHID=3</c>), one VHID per file, as in /etc/ucarp/ucarp.conf.</summary>
    ShellVariables,
    /// <summary>Debian ifupdown <c>/etc/network/interfaces</c> with <c>ucarp-*</c> options (docs/carp-protocol.md, 10.3).</summary>
    DebianInterfaces,
}

/// <summary>What an import produced: the VHIDs that could be mapped, and a message for everything else.</summary>
public sealed record ImportResult(IReadOnlyList<VhidConfig> Vhids, IReadOnlyList<ImportMessage> Messages)
{
    public required string SourceName { get; init; }
    public required UcarpConfigFormat Format { get; init; }
    public bool HasErrors => Messages.Any(m => m.Severity == ImportSeverity.Error);
}
