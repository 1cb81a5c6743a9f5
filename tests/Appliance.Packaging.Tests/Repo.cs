namespace Appliance.Packaging.Tests;

internal static class Repo
{
    /// <summary>The product project that docker/Dockerfile and deploy/install.sh publish.</summary>
    public const string ProductProject = "src/Appliance/Appliance.csproj";
}

/// <summary>One <c>dotnet publish</c> of the product (src/Appliance) for the whole test run, as the Dockerfile's build stage does.</summary>
public sealed class PublishFixture : IAsyncLifetime
{
    public string Output { get; } = Path.Combine(Path.GetTempPath(), $"appliance-publish-{Guid.NewGuid():N}");

    public async Task InitializeAsync()
    {
        var result = await ExternalProcess.RunAsync("dotnet",
            ["publish", Repository.PathOf(Repo.ProductProject), "-c", "Release", "-o", Output, "--nologo", "-v", "q"],
            TimeSpan.FromMinutes(5));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed ({result.ExitCode}):\n{result.Stdout}\n{result.Stderr}");
        }
    }

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
