using System.ComponentModel;
using System.Diagnostics;
using Appliance.Engine.Cli;

namespace Appliance.Engine.Health;

/// <summary>
/// Runs the command line directly (quotes split it into words; there is no shell unless the admin writes
/// <c>sh -c '...'</c>) and compares its exit code. On timeout the whole process tree is killed.
/// </summary>
public sealed class CommandHealthProbe : IHealthProbe
{
    public async Task<HealthProbeResult> ProbeAsync(HealthCheckConfig check, CancellationToken cancellationToken)
    {
        if (!UcarpCommandLine.TrySplitWords(check.Target, out var words, out var error) || words.Count == 0)
        {
            return HealthProbeResult.Failed($"cannot run '{check.Target}': {error ?? "empty command"}");
        }
        var info = new ProcessStartInfo(words[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var word in words.Skip(1))
        {
            info.ArgumentList.Add(word);
        }
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            return HealthProbeResult.Failed($"cannot run {words[0]}: {ex.Message}");
        }
        process.StandardInput.Close();
        // Drain both pipes so a chatty command cannot block on a full pipe.
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited between the timeout and the kill.
            }
            throw;
        }
        await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        var expected = check.EffectiveExpectedStatus;
        var code = process.ExitCode;
        if (code == expected)
        {
            return HealthProbeResult.Ok($"{check.Target} exited with {code}");
        }
        var said = FirstLine(stderr.Result) ?? FirstLine(stdout.Result);
        return HealthProbeResult.Failed($"{check.Target} exited with {code}, expected {expected}{(said is null ? "" : $" ({said})")}");
    }

    private static string? FirstLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return line is null ? null : line.Length <= 120 ? line : line[..117] + "...";
    }
}
