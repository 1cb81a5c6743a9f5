namespace Appliance.Web.Tests.Infrastructure;

/// <summary>A data directory shared by several hosts in one test, deleted afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = TestHost.NewDataDirectory();

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
