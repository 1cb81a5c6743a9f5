using Appliance.Engine.Cli;
using Appliance.Engine.Platform.Linux;

// Subcommands: `carp` (headless ucarp-compatible daemon); `serve` comes with the web appliance.
if (args is ["carp", .. var rest])
{
    return await CarpCommand.RunAsync(rest, new LinuxDataPlane());
}
Console.Error.WriteLine("usage: appliance carp [ucarp options] | appliance carp --help");
return 1;
