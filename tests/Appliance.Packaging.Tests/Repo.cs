using System.Diagnostics;
using System.Text;

namespace Appliance.Packaging.Tests;

internal static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>The product project that docker/Dockerfile and deploy/install.sh publish.</summary>
    public const string ProductProject = "src/Appliance/Appliance.csproj";

    /// <summary>The native carp daemon that <c>./appliance carp</c> publishes and runs.</summary>
    public const string NativeCarpProject = "src/Appliance.Carp/Appliance.Carp.csproj";

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Appliance.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Appliance.sln not found above " + AppContext.BaseDirectory);
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs a program (no shell) with a hard timeout; the process tree is killed if it overruns.</summary>
    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout, IDictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', info.ArgumentList)} did not finish within {timeout}");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary><c>dotnet publish PROJECT -c Release -o OUTPUT</c>, throwing with the build's output when it fails.</summary>
    public static async Task PublishAsync(string project, string output)
    {
        var result = await RunAsync("dotnet",
            ["publish", PathOf(project), "-c", "Release", "-o", output, "--nologo", "-v", "q"],
            TimeSpan.FromMinutes(5));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish {project} failed ({result.ExitCode}):\n{result.Stdout}\n{result.Stderr}");
        }
    }
}

/// <summary>One <c>dotnet publish</c> of the product (src/Appliance) for the whole test run, as the Dockerfile's build stage does.</summary>
public sealed class PublishFixture : IAsyncLifetime
{
    public string Output { get; } = Path.Combine(Path.GetTempPath(), $"appliance-publish-{Guid.NewGuid():N}");

    public Task InitializeAsync() => Repo.PublishAsync(Repo.ProductProject, Output);

    public Task DisposeAsync()
    {
        Directory.Delete(Output, recursive: true);
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class PublishCollection : ICollectionFixture<PublishFixture>
{
    public const string Name = "publish";
}

internal static class Text
{
    public static string Lines(Repo.Result r) => new StringBuilder().AppendLine(r.Stdout).AppendLine(r.Stderr).ToString();
}
