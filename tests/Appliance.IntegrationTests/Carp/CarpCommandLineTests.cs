using System.Diagnostics;
using Appliance.IntegrationTests.Lab;
using Appliance.Lab;
using Xunit.Abstractions;
using static Appliance.IntegrationTests.Carp.CarpKit;

namespace Appliance.IntegrationTests.Carp;

/// <summary>Bad command lines: exit code 1 and one line naming the field, before anything touches the network.</summary>
[Collection(LabCollection.Name)]
public sealed class CarpCommandLineTests(ITestOutputHelper output)
{
    [Fact]
    public async Task BadCommandLines_EachInvalidField_ExitOneWithOneLineNamingTheField()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var vip = lab.AllocateAddress();
        List<string> Valid() => CommonArgs(a, vip, 42, "secret", 0);
        List<string> With(string flag, string value)
        {
            var args = Valid();
            args[args.IndexOf(flag) + 1] = value;
            return args;
        }

        (string Name, List<string> Args, string[] Expected)[] cases =
        [
            ("unknown flag", [.. Valid(), "--bogus"], ["--bogus"]),
            ("vhid 300", With("-v", "300"), ["--vhid must be between 1 and 255", "'300'"]),
            ("advskew 255", With("-k", "255"), ["--advskew must be between 0 and 254 (got '255')"]),
            ("vhid and deadratio 300", [.. With("-v", "300"), "-r", "300"], ["--vhid must be between 1 and 255 (got '300'); --deadratio must be between 1 and 255 (got '300')"]),
            ("missing interface", With("-i", "nope0"), ["--interface: no such interface 'nope0'"]),
            ("three-octet VIP", With("-a", "10.0.0"), ["--addr", "'10.0.0'"]),
        ];

        foreach (var (name, args, expected) in cases)
        {
            var clock = Stopwatch.StartNew();
            var result = await lab.RunAsync(a, TimeSpan.FromSeconds(20), [ApplianceBinary.DotnetHost, ApplianceBinary.DllPath, "carp", .. args]);
            output.WriteLine($"{name}: exit {result.ExitCode} after {Ms(clock.Elapsed)}: {result.StdErr.Trim()}");

            Assert.True(result.ExitCode == 1, $"{name}: expected exit 1, got {result}");
            var lines = result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var line = Assert.Single(lines);
            Assert.StartsWith("appliance carp: ", line, StringComparison.Ordinal);
            Assert.All(expected, e => Assert.Contains(e, line, StringComparison.Ordinal));
            Assert.Equal(string.Empty, result.StdOut.Trim());
        }

        // Nothing was configured by any of the rejected runs.
        Assert.Equal([a.Address], lab.GetAddresses(a).Where(ip => !ip.Equals(System.Net.IPAddress.Loopback)));
    }
}
