using Appliance.Engine.Cli;
using Appliance.Engine.Platform.Linux;
using Appliance.Web.Hosting;

// Subcommands, one line each: `carp` (headless ucarp-compatible daemon), `serve` (the web appliance), `import` (a ucarp config into the store).
if (args is ["carp", .. var rest])
{
    return await CarpCommand.RunAsync(rest, new LinuxDataPlane());
}
if (args is ["serve", .. var serveArgs])
{
    return await ServeCommand.RunAsync(serveArgs);
}
if (args is ["import", .. var importArgs])
{
    return await ImportCommand.RunAsync(importArgs, Console.Out, Console.Error);
}
Console.Error.WriteLine("usage: appliance serve [--urls URLS] [--data DIR] | appliance import FILE [--data DIR] | appliance carp [ucarp options] | appliance carp --help");
return 1;
