using Appliance.Demo;
using Appliance.Engine.Cli;
using Appliance.Engine.Platform.Linux;
using Appliance.Web.Hosting;

// Subcommands: `serve` (the web appliance), `carp` (headless ucarp-compatible daemon),
// `import` (a ucarp config into the store), `demo` (the two-node failover demo).
if (args is ["carp", .. var rest])
{
    return await CarpCommand.RunAsync(rest, new LinuxDataPlane()).ConfigureAwait(false);
}
if (args is ["serve", .. var serveArgs])
{
    return await ServeCommand.RunAsync(serveArgs).ConfigureAwait(false);
}
if (args is ["import", .. var importArgs])
{
    return await ImportCommand.RunAsync(importArgs, Console.Out, Console.Error).ConfigureAwait(false);
}
if (args is ["demo", .. var demoArgs] && OperatingSystem.IsLinux())
{
    return await DemoCommand.RunAsync(demoArgs).ConfigureAwait(false);
}
Console.Error.WriteLine("""
    usage: appliance serve [--urls URLS] [--data DIR]     the web appliance (dashboard, REST API, engine)
           appliance carp [ucarp options]                 the headless daemon, a drop-in for ucarp (--help)
           appliance import FILE [--data DIR]             import a ucarp.conf or an ifupdown ucarp stanza
           appliance demo [--check]                       the two-node Apache failover demo (as root)
    """);
return 1;
