using Appliance.Demo;
using Appliance.Engine.Cli;
using Appliance.Engine.Platform.Linux;
using Appliance.Web.Hosting;

// Subcommands, one line each: `carp` (headless ucarp-compatible daemon), `serve` (the web appliance); later import, demo.
if (args is ["carp", .. var rest])
{
    return await CarpCommand.RunAsync(rest, new LinuxDataPlane());
}
if (args is ["serve", .. var serveArgs])
{
    return await ServeCommand.RunAsync(serveArgs);
}
if (args is ["demo", .. var demoArgs] && OperatingSystem.IsLinux())
{
    return await DemoCommand.RunAsync(demoArgs);
}
Console.Error.WriteLine("usage: appliance serve [--urls URLS] [--data DIR] | appliance carp [ucarp options] | appliance carp --help");
return 1;
