namespace Appliance.Packaging.Tests;

/// <summary>
/// What the Dockerfile relies on, tried on this machine without Docker: a non-root user whose bounding set is
/// only CAP_NET_RAW + CAP_NET_ADMIN (compose's cap_drop ALL + cap_add) runs the apphost carrying those two
/// file capabilities. Needs root (to setcap and switch user); fails rather than skips without it.
/// </summary>
[Collection(PublishCollection.Name)]
public sealed class FileCapabilityTests(PublishFixture publish) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("appliance-caps-");

    private static string[] AsNobody(string bounding, params string[] command) =>
        ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", $"--bounding-set=-all,{bounding}", .. command];

    private async Task<string> CopyWithCapsAsync(string source, string name)
    {
        Assert.True(Environment.UserName == "root", "these tests need root to setcap and to switch to an unprivileged user");
        var copy = Path.Combine(_dir.FullName, name);
        File.Copy(source, copy);
        var setcap = await ExternalProcess.RunAsync("setcap", ["cap_net_raw,cap_net_admin+ep", copy], Timeout);
        Assert.True(setcap.ExitCode == 0, setcap.Output);
        return copy;
    }

    private void OpenToAll()
    {
        File.SetUnixFileMode(_dir.FullName, (UnixFileMode)0b111_101_101);
        foreach (var entry in _dir.EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            var isDir = entry is DirectoryInfo || (File.GetUnixFileMode(entry.FullName) & UnixFileMode.UserExecute) != 0;
            File.SetUnixFileMode(entry.FullName, isDir ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100);
        }
    }

    [Fact]
    public async Task FileCaps_NonRootInNarrowBoundingSet_ProcessHoldsExactlyRawAndAdmin()
    {
        var cat = await CopyWithCapsAsync("/bin/cat", "capcat");
        OpenToAll();

        var result = await ExternalProcess.RunAsync("setpriv", AsNobody("+net_raw,+net_admin", cat, "/proc/self/status"), Timeout);

        Assert.True(result.ExitCode == 0, result.Output);
        var effective = result.Stdout.Split('\n').Single(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        // CAP_NET_ADMIN = 12, CAP_NET_RAW = 13.
        Assert.Equal(0x3000UL, Convert.ToUInt64(effective["CapEff:".Length..].Trim(), 16));
    }

    [Fact]
    public async Task Apphost_WithFileCapsAsNonRoot_HostReachesManagedCode()
    {
        foreach (var file in Directory.EnumerateFiles(publish.Output, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_dir.FullName, Path.GetRelativePath(publish.Output, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (Path.GetFileName(file) != "appliance" || Path.GetDirectoryName(file) != publish.Output)
            {
                File.Copy(file, target);
            }
        }
        var apphost = await CopyWithCapsAsync(Path.Combine(publish.Output, "appliance"), "appliance");
        OpenToAll();
        File.SetUnixFileMode(apphost, (UnixFileMode)0b111_101_101);
        // File capabilities put the loader in secure-execution mode; the trace shows the .NET host still gets to Main.
        var env = new Dictionary<string, string> { ["COREHOST_TRACE"] = "1" };

        var result = await ExternalProcess.RunAsync("setpriv", AsNobody("+net_raw,+net_admin", apphost, "carp", "--help"), Timeout, env);

        Assert.Contains("Execute managed assembly exit code", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apphost_BoundingSetWithoutNetAdmin_RefusedAtExec()
    {
        // Forgetting cap_add NET_ADMIN fails loudly at start instead of running without it.
        var apphost = await CopyWithCapsAsync(Path.Combine(publish.Output, "appliance"), "appliance");
        OpenToAll();
        File.SetUnixFileMode(apphost, (UnixFileMode)0b111_101_101);

        var result = await ExternalProcess.RunAsync("setpriv", AsNobody("+net_raw", apphost), Timeout);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Operation not permitted", result.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
