using System.CommandLine;
using System.CommandLine.Invocation;
using Appliance.Demo;

// `./appliance demo [--check]`: the same help/version/exit-code convention as the product's verbs.
var check = new Option<bool>("--check")
{
    Description = "Run the scripted failover steps instead of the interactive demo; exit 0 only if every step passes",
};
var appliance = new Option<string>("--appliance")
{
    Description = "The product the nodes run `serve` from: appliance.dll or its apphost (./appliance publishes it there)",
    HelpName = "PATH",
    DefaultValueFactory = _ => ApplianceLauncher.FindDefault(),
};
var root = new RootCommand("The two-node Apache failover demo (as root): real Apache and two appliances sharing a VIP in network namespaces.")
{
    check,
    appliance,
};
root.SetAction((result, _) => DemoCommand.RunAsync(result.GetValue(check), result.GetValue(appliance)!));
var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
if (parsed.Action is ParseErrorAction errors)
{
    errors.ShowHelp = false;
}
// The demo handles SIGINT/SIGTERM itself: it must remove its lab before it exits.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
