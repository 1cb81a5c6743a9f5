using System.ComponentModel;
using System.Diagnostics;
using Appliance.Engine.Scripts;

namespace Appliance.Engine.Health;

/// <summary>
/// Runs the executable <see cref="HealthCheckConfig.Target"/> with <see cref="HealthCheckConfig.Arguments"/> as
/// its argv (no shell, no splitting of words) and compares its exit code. Right before each run the file must still
/// be a usable script by <see cref="ScriptDirectory"/>'s rules, else the check fails without running anything.
/// On timeout the whole process tree is killed.
/// </summary>
public sealed class CommandHealthProbe : IHealthProbe
{
    public async Task<HealthProbeResult> ProbeAsync(HealthCheckConfig check, CancellationToken cancellationToken)
    {
        if (ScriptDirectory.CheckPath(check.Target) is { } reason)
        {
            return HealthProbeResult.Failed($"not run: {check.Target}: {reason}");
        }
        var info = new ProcessStartInfo(check.Target)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in check.EffectiveArguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            return HealthProbeResult.Failed($"cannot run {check.Target}: {ex.Message}");
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
