namespace Appliance.Packaging.Tests;

internal static class Repo
{
    /// <summary>The product project that docker/Dockerfile and deploy/install.sh publish.</summary>
    public const string ProductProject = "src/Appliance/Appliance.csproj";

    /// <summary>The native carp daemon that <c>./appliance carp</c> publishes and runs.</summary>
    public const string NativeCarpProject = "src/Appliance.Carp/Appliance.Carp.csproj";

    /// <summary><c>dotnet publish PROJECT -c Release -o OUTPUT</c>, throwing with the build's output when it fails.</summary>
    public static async Task PublishAsync(string project, string output)
    {
        var result = await ExternalProcess.RunAsync("dotnet",
            ["publish", Repository.PathOf(project), "-c", "Release", "-o", output, "--nologo", "-v", "q"],
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
