namespace Appliance.Packaging.Tests;

[Collection(PublishCollection.Name)]
public sealed class InstallScriptTests(PublishFixture publish)
{
    [Fact]
    public async Task Install_StagedTwice_IdempotentAndComplete()
    {
        var dest = Directory.CreateTempSubdirectory("appliance-destdir-");
        try
        {
            var script = Repository.PathOf("deploy", "install.sh");
            var first = await ExternalProcess.RunAsync("bash", [script, "--from", publish.Output, "--destdir", dest.FullName], TimeSpan.FromMinutes(2));
            Assert.True(first.ExitCode == 0, first.Output);
            File.WriteAllText(Path.Combine(dest.FullName, "opt", "appliance", "stale.dll"), "left over from an older build");

            var second = await ExternalProcess.RunAsync("bash", [script, "--from", publish.Output, "--destdir", dest.FullName], TimeSpan.FromMinutes(2));

            Assert.True(second.ExitCode == 0, second.Output);
            var prefix = Path.Combine(dest.FullName, "opt", "appliance");
            Assert.True(File.Exists(Path.Combine(prefix, "appliance.dll")));
            Assert.True((File.GetUnixFileMode(Path.Combine(prefix, "appliance")) & UnixFileMode.OtherExecute) != 0);
            Assert.False(File.Exists(Path.Combine(prefix, "stale.dll")), "a reinstall must not keep files of an older build");
            Assert.False(Directory.Exists(prefix + ".new"));
            Assert.False(Directory.Exists(prefix + ".old"));
            Assert.Empty(Directory.GetFiles(prefix, "*.pdb"));
            Assert.Equal(File.ReadAllText(Repository.PathOf("deploy", "appliance.service")),
                File.ReadAllText(Path.Combine(dest.FullName, "etc", "systemd", "system", "appliance.service")));
        }
        finally
        {
            dest.Delete(recursive: true);
        }
    }

    [Fact]
    public void Install_WithoutFrom_PublishesTheProductProject()
    {
        var script = File.ReadAllText(Repository.PathOf("deploy", "install.sh"));

        Assert.Contains($"args=(publish \"$root/{Repo.ProductProject}\"", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_UnknownOption_RefusedWithoutDoingAnything()
    {
        var result = await ExternalProcess.RunAsync("bash", [Repository.PathOf("deploy", "install.sh"), "--frobnicate"], TimeSpan.FromMinutes(1));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown option '--frobnicate'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_StartWithDestdir_Refused()
    {
        var result = await ExternalProcess.RunAsync("bash", [Repository.PathOf("deploy", "install.sh"), "--destdir", "/nonexistent", "--start"], TimeSpan.FromMinutes(1));

        Assert.Equal(2, result.ExitCode);
    }
}
