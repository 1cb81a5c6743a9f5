namespace Appliance.Lab;

/// <summary>The outcome of a command run to completion inside a lab namespace.</summary>
public sealed record LabCommandResult(int ExitCode, string StdOut, string StdErr)
{
    public bool Succeeded => ExitCode == 0;

    public override string ToString() => $"exit {ExitCode}; stdout: {StdOut.Trim()}; stderr: {StdErr.Trim()}";
}
