using Appliance.Demo;
using Appliance.Engine.Cli;
using Appliance.Engine.Platform.Linux;
using Appliance.Web.Hosting;

// Subcommands, one line each (later: import, demo).
if (args is ["carp", ..])
{
    using var dataPlane = new LinuxDataPlane();
    return await CarpCommand.RunAsync(args[1..], dataPlane);
}
if (args is ["serve", ..])
{
    return await ServeCommand.RunAsync(args[1..]);
}

if (args is ["demo", .. var demoArgs] && OperatingSystem.IsLinux())
{
    return await DemoCommand.RunAsync(demoArgs);
}

await Console.Error.WriteLineAsync("Usage: appliance serve [--urls URLS] [--data DIR] | appliance carp [ucarp options]");
return 1;
