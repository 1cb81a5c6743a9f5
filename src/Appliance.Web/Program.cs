using Appliance.Web.Hosting;

// Subcommands, one line each. Engine CLI (carp) goes here:
// if (args is ["carp", ..]) return await Appliance.Engine.Cli.CarpCommand.RunAsync(args[1..]);
// Later: import, demo.
if (args is ["serve", ..])
{
    return await ServeCommand.RunAsync(args[1..]);
}

await Console.Error.WriteLineAsync("Usage: appliance serve [--urls URLS] [--data DIR]");
return 1;
