using Appliance;
using Appliance.Engine.Cli;
using Appliance.Engine.Platform.Linux;

// `carp` keeps ucarp's getopt_long command line (bundling, GNU prefixes, --next): its arguments go through untouched.
if (args is [ApplianceCommandLine.CarpVerb, .. var carpArgs])
{
    return await CarpCommand.RunAsync(carpArgs, new LinuxDataPlane(), ApplianceCommandLine.CarpVerb);
}
return await ApplianceCommandLine.InvokeAsync(args, Console.Out, Console.Error);
