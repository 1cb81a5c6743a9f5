using System.Diagnostics;
using System.Text.RegularExpressions;

using Appliance.IntegrationTests.Lab;
using Appliance.Lab;

using Tmds.Linux;

namespace Appliance.IntegrationTests.Demo;

/// <summary>
/// `appliance demo --check` end to end: the built demo (appliance-demo.dll, its own executable) runs as
/// a plain child process in the root namespace with the built product (appliance.dll) for its nodes (the
/// demo builds its own lab of namespaces, real Apache and two appliances), and must pass every scripted
/// failover step and leave nothing behind.
/// </summary>
[Collection(LabCollection.Name)]
public sealed partial class DemoCheckTests
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task DemoCheck_FullScenario_EveryStepPassesAndLabIsRemoved()
    {
        var run = await RunDemoAsync(["--check"], CheckTimeout);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Output}");
        var steps = StepLine().Matches(run.Output).Select(m => (Number: int.Parse(m.Groups[1].Value), Count: int.Parse(m.Groups[2].Value), Result: m.Groups[3].Value)).ToList();
        Assert.NotEmpty(steps);
        var count = steps[0].Count;
        Assert.True(count >= 7, $"expected at least 7 steps, got {count}\n{run.Output}");
        // One line per step, in order, each PASS.
        Assert.Equal(Enumerable.Range(1, count), steps.Select(s => s.Number));
        Assert.All(steps, s => Assert.Equal("PASS", s.Result));
        Assert.Contains($"{count}/{count} steps passed", run.Output, StringComparison.Ordinal);
        Assert.Contains("Switching to state: MASTER", run.Output, StringComparison.Ordinal);

        // The demo says which lab it built; none of it may be left.
        var id = LabId().Match(run.Output);
        Assert.True(id.Success, run.Output);
        var prefix = $"{NetworkLab.Prefix}{id.Groups[1].Value}";
        Assert.DoesNotContain(NetworkLab.ListNamespaces(), ns => ns.StartsWith(prefix, StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(Path.GetTempPath(), prefix)), $"{prefix} work directory left behind");
        Assert.Contains("demo: removed namespaces", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_UnknownArgument_ExitsOneNamingItAndBuildsNothing()
    {
        var before = NetworkLab.ListNamespaces();

        var run = await RunDemoAsync(["--no-such-flag"], TimeSpan.FromSeconds(60));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("'--no-such-flag'", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("demo: lab ", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(NetworkLab.ListNamespaces().Except(before), ns => ns.StartsWith(NetworkLab.Prefix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Demo_Help_ExitsZeroNamingCheck()
    {
        var run = await RunDemoAsync(["--help"], TimeSpan.FromSeconds(60));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--check", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("demo: lab ", run.Output, StringComparison.Ordinal);
    }

    private sealed record DemoRun(int ExitCode, string Output);

    /// <summary>
    /// Runs <c>dotnet appliance-demo.dll --appliance appliance.dll args</c> in the root namespace. On timeout: SIGTERM (the demo
    /// removes its lab), then SIGKILL if it does not end, and the test fails with the output.
    /// </summary>
    private static async Task<DemoRun> RunDemoAsync(IReadOnlyList<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(ApplianceBinary.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(ApplianceBinary.DemoDllPath);
        psi.ArgumentList.Add("--appliance");
        psi.ArgumentList.Add(ApplianceBinary.DllPath);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        var output = new List<string>();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _ = LibC.kill(process.Id, LibC.SIGTERM);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
            Assert.Fail($"'appliance demo {string.Join(' ', args)}' did not finish within {timeout}.\n{Joined()}");
        }
        // Flush the asynchronous readers.
        process.WaitForExit();
        return new DemoRun(process.ExitCode, Joined());

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.Add(line);
                }
            }
        }

        string Joined()
        {
            lock (output)
            {
                return string.Join('\n', output);
            }
        }
    }

    [GeneratedRegex(@"^step (\d+)/(\d+) .*\s(PASS|FAIL)\b", RegexOptions.Multiline)]
    private static partial Regex StepLine();

    [GeneratedRegex(@"^demo: lab ([0-9a-f]{6}):", RegexOptions.Multiline)]
    private static partial Regex LabId();
}
