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
        // Drain both pipes so a chatty command cannot block on a full pipe; keep only the first MaxOutputChars of each.
        var stdout = ReadBoundedAsync(process.StandardOutput);
        var stderr = ReadBoundedAsync(process.StandardError);
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
        var said = FirstLine(stderr.Result.Text) ?? FirstLine(stdout.Result.Text);
        var dropped = stdout.Result.Dropped + stderr.Result.Dropped;
        return HealthProbeResult.Failed($"{check.Target} exited with {code}, expected {expected}{(said is null ? "" : $" ({said})")}"
            + (dropped == 0 ? "" : $"; ... {dropped} more characters of output dropped"));
    }

    /// <summary>Characters of each output stream kept per run; the rest is read and discarded, only counted.</summary>
    public const int MaxOutputChars = 64 * 1024;

    /// <summary>Reads the stream to its end, keeping at most <see cref="MaxOutputChars"/> characters and counting the rest.</summary>
    internal static async Task<(string Text, long Dropped)> ReadBoundedAsync(TextReader reader)
    {
        var kept = new System.Text.StringBuilder();
        var buffer = new char[4096];
        long dropped = 0;
        int read;
        while ((read = await reader.ReadAsync(buffer, CancellationToken.None).ConfigureAwait(false)) > 0)
        {
            var room = Math.Min(read, MaxOutputChars - kept.Length);
            kept.Append(buffer, 0, room);
            dropped += read - room;
        }
        return (kept.ToString(), dropped);
    }

    private static string? FirstLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return line is null ? null : line.Length <= 120 ? line : line[..117] + "...";
    }
}
