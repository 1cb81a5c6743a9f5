using System.Xml.Linq;

namespace Appliance.Packaging.Tests;

/// <summary>One NativeAOT <c>dotnet publish</c> of src/Appliance.Carp, as <c>./appliance carp</c> builds it.</summary>
public sealed class NativeCarpPublishFixture : IAsyncLifetime
{
    public string Output { get; } = Path.Combine(Path.GetTempPath(), $"appliance-carp-publish-{Guid.NewGuid():N}");

    public string Executable => Path.Combine(Output, "appliance-carp");

    public Task InitializeAsync() => Repo.PublishAsync(Repo.NativeCarpProject, Output);

    public Task DisposeAsync()
    {
        Directory.Delete(Output, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The headless daemon is one native executable (NativeAOT) that carries no ASP.NET Core and speaks ucarp's
/// command line: what README "Commands" promises for <c>./appliance carp</c>.
/// </summary>
public sealed class NativeCarpTests(NativeCarpPublishFixture publish) : IClassFixture<NativeCarpPublishFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Publish_Output_IsOneNativeExecutableWithoutAspNetCore()
    {
        var bytes = File.ReadAllBytes(publish.Executable);

        // ELF, not a managed apphost next to its assemblies: no .dll, no runtimeconfig, no deps.json.
        Assert.Equal("\u007fELF"u8.ToArray(), bytes[..4]);
        Assert.Empty(Directory.GetFiles(publish.Output, "*.dll"));
        Assert.Empty(Directory.GetFiles(publish.Output, "*.json"));
        // Kestrel's own strings would be compiled in with it. ("Microsoft.AspNetCore" alone is no test: the
        // runtime's DiagnosticSource carries a default event filter that names ASP.NET Core's hosting events.)
        Assert.Equal(-1, bytes.AsSpan().IndexOf("Kestrel"u8));
    }

    [Fact]
    public void Publish_CompiledAssemblies_IncludeNoAspNetCore()
    {
        // ILC's response file lists the compiled input and every assembly it may pull code from.
        var rsp = File.ReadAllLines(Repository.PathOf("src/Appliance.Carp/obj/Release/net10.0/linux-x64/native/appliance-carp.ilc.rsp"));
        var assemblies = rsp.Where(l => l.StartsWith("-r:", StringComparison.Ordinal) || !l.StartsWith('-'))
            .Select(l => Path.GetFileNameWithoutExtension(l.Replace("-r:", "", StringComparison.Ordinal)))
            .ToList();

        Assert.Contains("appliance-carp", assemblies);
        Assert.Contains("Appliance.Engine", assemblies);
        Assert.Contains("System.Private.CoreLib", assemblies);
        Assert.DoesNotContain(assemblies, a => a.StartsWith("Microsoft.AspNetCore", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(assemblies, a => a.StartsWith("Appliance.Web", StringComparison.Ordinal));
    }

    [Fact]
    public void Project_ReferencesOnlyTheEngine_AndNoWebFramework()
    {
        var project = XDocument.Load(Repository.PathOf(Repo.NativeCarpProject));

        Assert.Equal("Microsoft.NET.Sdk", project.Root!.Attribute("Sdk")!.Value);
        Assert.Equal(["../Appliance.Engine/Appliance.Engine.csproj"], project.Descendants("ProjectReference").Select(r => r.Attribute("Include")!.Value));
        Assert.Empty(project.Descendants("FrameworkReference"));
        Assert.Equal("true", project.Descendants("PublishAot").Single().Value);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_UcarpUsageOnStdoutExitZero(string flag)
    {
        var result = await ExternalProcess.RunAsync(publish.Executable, [flag], Timeout);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("--interface=<if> (-i <if>)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--next", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("", result.Stderr);
    }

    [Theory]
    [InlineData(new string[] { "--frobnicate" }, "frobnicate")]
    [InlineData(new string[] { }, "--vhid, --pass, --addr and --interface are required")]
    [InlineData(new string[] { "-i", "no-such-if0", "-s", "198.18.0.1", "-v", "1", "-p", "pw", "-a", "198.18.0.100" }, "no such interface 'no-such-if0'")]
    public async Task BadCommandLine_NamedOnStderrExitOne(string[] args, string named)
    {
        var result = await ExternalProcess.RunAsync(publish.Executable, args, Timeout);

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Contains(named, result.Stderr, StringComparison.Ordinal);
    }
}
