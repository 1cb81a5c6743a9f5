namespace Appliance.Packaging.Tests;

/// <summary>
/// The published executable's command line (System.CommandLine): --help on stdout with exit 0 for the root and
/// every verb, --version, and exit 1 naming the culprit for an unknown verb or option (carp's convention too).
/// </summary>
[Collection(PublishCollection.Name)]
public sealed class CommandLineTests(PublishFixture publish)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private Task<ExternalProcess.Result> RunAsync(params string[] args) =>
        ExternalProcess.RunAsync(Path.Combine(publish.Output, "appliance"), args, Timeout);

    [Theory]
    [InlineData(new string[] { "--help" }, "appliance [command] [options]", "serve")]
    [InlineData(new string[] { "-h" }, "appliance [command] [options]", "import <FILE>")]
    [InlineData(new string[] { "serve", "--help" }, "appliance serve [options]", "--urls <URLS>")]
    [InlineData(new string[] { "serve", "-h" }, "appliance serve [options]", "--data <DIR>")]
    [InlineData(new string[] { "serve", "--help" }, "appliance serve [options]", "--allow-http")]
    [InlineData(new string[] { "import", "--help" }, "appliance import <FILE> [options]", "--data <DIR>")]
    [InlineData(new string[] { "carp", "--help" }, "--interface", "--vhid")]
    public async Task Help_RootAndEveryVerb_OnStdoutExitZero(string[] args, string usage, string mentions)
    {
        var result = await RunAsync(args);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains(usage, result.Stdout, StringComparison.Ordinal);
        Assert.Contains(mentions, result.Stdout, StringComparison.Ordinal);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Version_PrintsTheProductVersionExitZero()
    {
        var result = await RunAsync("--version");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Matches(@"^\d+\.\d+\.\d+", result.Stdout);
    }

    [Theory]
    [InlineData(new string[] { "frobnicate" }, "'frobnicate'")]
    [InlineData(new string[] { "demo" }, "'demo'")]
    [InlineData(new string[] { "serve", "--port", "8080" }, "'--port'")]
    [InlineData(new string[] { "import", "ucarp.conf", "--frobnicate" }, "'--frobnicate'")]
    [InlineData(new string[] { "import" }, "Required argument missing for command: 'import'")]
    [InlineData(new string[] { "serve", "--urls" }, "'--urls'")]
    [InlineData(new string[] { "carp", "--frobnicate" }, "frobnicate")]
    [InlineData(new string[] { }, "Required command was not provided")]
    public async Task BadCommandLine_NamedOnStderrExitOne(string[] args, string named)
    {
        var result = await RunAsync(args);

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Contains(named, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_BadUrls_ExitOneNamingTheField()
    {
        var data = Directory.CreateTempSubdirectory("appliance-cli-");
        try
        {
            var result = await RunAsync("serve", "--urls", "ftp://x", "--data", data.FullName);

            Assert.True(result.ExitCode == 1, result.Output);
            Assert.Contains("appliance: invalid configuration: urls (--urls, APPLIANCE_URLS, ASPNETCORE_URLS): 'ftp://x'", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Serve_PlainHttpOffLoopback_ExitOnePointingToHttps()
    {
        var data = Directory.CreateTempSubdirectory("appliance-cli-");
        try
        {
            // Refused before anything binds: nothing listens on 0.0.0.0.
            var result = await RunAsync("serve", "--urls", "http://0.0.0.0:8080", "--data", data.FullName);

            Assert.True(result.ExitCode == 1, result.Output);
            Assert.Contains("refusing plain HTTP on http://0.0.0.0:8080: use https://0.0.0.0:8080 (a certificate is generated) or --allow-http", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
            Assert.Empty(data.EnumerateFileSystemInfos());
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }
}
