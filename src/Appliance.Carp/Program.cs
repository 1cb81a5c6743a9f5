using Appliance.Engine.Cli;
using Appliance.Engine.Platform.Linux;

// appliance-carp: ucarp's getopt_long command line, nothing else (no verb: `./appliance carp ARGS` execs `appliance-carp ARGS`).
return await CarpCommand.RunAsync(args, new LinuxDataPlane(), verb: null);
