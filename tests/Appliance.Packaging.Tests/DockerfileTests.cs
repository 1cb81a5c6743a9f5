using System.Text.Json;

namespace Appliance.Packaging.Tests;

[Collection(PublishCollection.Name)]
public sealed class DockerfileTests(PublishFixture publish)
{
    private static readonly List<DockerInstruction> Instructions = DockerInstruction.Parse(File.ReadAllText(Repository.PathOf("docker", "Dockerfile")));
    private static int FinalStage => Instructions.Max(i => i.Stage);
    private static IEnumerable<DockerInstruction> Final(string keyword) => Instructions.Where(i => i.Stage == FinalStage && i.Keyword == keyword);

    [Fact]
    public void Dockerfile_Stages_SdkBuildThenAspNetRuntime()
    {
        var froms = Instructions.Where(i => i.Keyword == "FROM").Select(i => i.Arguments).ToList();

        Assert.Equal(2, froms.Count);
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", froms[0], StringComparison.Ordinal);
        Assert.EndsWith(" AS build", froms[0], StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:", froms[1], StringComparison.Ordinal);
        Assert.Contains(Instructions, i => i.Keyword == "ARG" && i.Arguments == "DOTNET_VERSION=10.0");
    }

    [Fact]
    public void Dockerfile_FinalStage_RunsAsNonRootUser()
    {
        var user = Assert.Single(Final("USER")).Arguments;
        var uid = user.Split(':')[0];

        Assert.NotEqual("root", uid);
        Assert.NotEqual("0", uid);
        Assert.Contains(Final("RUN"), r => r.Arguments.Contains($"--uid {uid}", StringComparison.Ordinal));
        Assert.Contains(Final("RUN"), r => r.Arguments.Contains("chown appliance:appliance /var/lib/appliance", StringComparison.Ordinal));
    }

    [Fact]
    public void Dockerfile_FinalStage_HealthCheckVolumeExposeEntrypoint()
    {
        Assert.Contains("/healthz", Assert.Single(Final("HEALTHCHECK")).Arguments, StringComparison.Ordinal);
        Assert.Contains("/opt/appliance/healthcheck.sh", Assert.Single(Final("HEALTHCHECK")).Arguments, StringComparison.Ordinal);
        Assert.Equal("[\"/var/lib/appliance\"]", Assert.Single(Final("VOLUME")).Arguments);
        Assert.Equal("8080", Assert.Single(Final("EXPOSE")).Arguments);
        Assert.Equal("[\"/opt/appliance/appliance\"]", Assert.Single(Final("ENTRYPOINT")).Arguments);
        Assert.Equal("[\"serve\", \"--data\", \"/var/lib/appliance\"]", Assert.Single(Final("CMD")).Arguments);
    }

    [Fact]
    public void Dockerfile_Apphost_GetsExactlyRawAndAdminFileCapabilities()
    {
        var setcap = Assert.Single(Final("RUN"), r => r.Arguments.Contains("setcap", StringComparison.Ordinal)).Arguments;

        Assert.Contains("setcap cap_net_raw,cap_net_admin+ep /opt/appliance/appliance", setcap, StringComparison.Ordinal);
    }

    [Fact]
    public void Dockerfile_CopySources_ExistInTheRepository()
    {
        var copies = Instructions.Where(i => i.Keyword == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(copies);
        foreach (var copy in copies)
        {
            var words = copy.Arguments.Split(' ');
            foreach (var source in words[..^1])
            {
                Assert.True(File.Exists(Repository.PathOf(source)) || Directory.Exists(Repository.PathOf(source)), $"COPY source {source} is missing");
            }
        }
    }

    [Fact]
    public void Dockerfile_BuildStage_PublishesTheProductProject()
    {
        var publishRun = Assert.Single(Instructions, i => i.Stage == 0 && i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        var project = publishRun.Arguments.Split(' ').Single(w => w.EndsWith(".csproj", StringComparison.Ordinal));

        Assert.Equal(Repo.ProductProject, project);
        Assert.True(File.Exists(Repository.PathOf(project)), project);
        Assert.Contains("-o /out", publishRun.Arguments, StringComparison.Ordinal);
        Assert.Contains(Final("COPY"), c => c.Arguments == "--from=build /out/ /opt/appliance/");
    }

    [Fact]
    public void Publish_Output_HasWhatTheRuntimeStageCopiesAndRuns()
    {
        Assert.True(File.Exists(Path.Combine(publish.Output, "appliance.dll")));
        var apphost = Path.Combine(publish.Output, "appliance");
        Assert.True(File.Exists(apphost), "apphost 'appliance' (the ENTRYPOINT) is missing");
        Assert.True((File.GetUnixFileMode(apphost) & UnixFileMode.UserExecute) != 0);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(publish.Output, "appliance.runtimeconfig.json")));
        var frameworks = config.RootElement.GetProperty("runtimeOptions").GetProperty("frameworks").EnumerateArray()
            .Select(f => f.GetProperty("name").GetString()).ToList();
        Assert.Contains("Microsoft.AspNetCore.App", frameworks);
        Assert.True(File.Exists(Path.Combine(publish.Output, "Appliance.Engine.dll")));
    }
}
