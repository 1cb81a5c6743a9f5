using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Appliance.Web.Hosting;

namespace Appliance;

/// <summary>
/// The product's verbs on System.CommandLine: generated --help (stdout, exit 0) for the root and every verb,
/// --version, and every error (an unknown verb or option, named; a missing value; bad configuration) exit 1,
/// the convention `carp` has from ucarp.
/// </summary>
internal static class ApplianceCommandLine
{
    public const string CarpVerb = "carp";

    public static Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error)
    {
        // No @response files: `import @file` means the file. No signal handling of its own: the web host
        // (and the engine's graceful bow-out) handles SIGINT/SIGTERM as before.
        var parsed = CreateRoot(error).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parsed.Action is ParseErrorAction errors)
        {
            // The error lines (and a "did you mean") on stderr; the full help only when asked for.
            errors.ShowHelp = false;
        }
        return parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null });
    }

    internal static RootCommand CreateRoot(TextWriter error)
    {
        var root = new RootCommand("Appliance: web-managed CARP failover, byte-compatible on the wire with ucarp 1.5.2.");
        root.Subcommands.Add(Serve(error));
        root.Subcommands.Add(Import(error));
        root.Subcommands.Add(Carp());
        return root;
    }

    private static Command Serve(TextWriter error)
    {
        var urls = Required(new Option<string>("--urls")
        {
            Description = $"Where to listen, ;-separated http:// or https:// URLs [default: {ApplianceOptions.DefaultUrls}; "
                + $"without the flag {EnvironmentSettings.Urls}, then {EnvironmentSettings.AspNetCoreUrls}]",
            HelpName = "URLS",
        });
        var data = DataOption();
        var allowHttp = new Option<bool>("--allow-http")
        {
            Description = $"Allow plain http:// URLs on addresses other than loopback (refused otherwise; https:// gets a generated certificate) "
                + $"[without the flag {EnvironmentSettings.AllowHttp}]",
        };
        var command = new Command("serve", "The web appliance: dashboard, REST API, SignalR hub and the CARP engine (as root).") { urls, data, allowHttp };
        command.SetAction((result, _) => ServeCommand.RunAsync(
            new ServeArguments(result.GetValue(urls), result.GetValue(data), result.GetValue(allowHttp)), error));
        return command;
    }

    private static Command Import(TextWriter error)
    {
        var file = new Argument<string>("FILE") { Description = "A ucarp.conf (UCARP_* variables) or /etc/network/interfaces with ucarp-* options" };
        var data = DataOption();
        var command = new Command("import", "Writes the VHIDs of a ucarp configuration into the store (stop serve first).") { file, data };
        command.SetAction((result, _) =>
        {
            DataDirectoryLock.RestrictNewFiles();
            return ImportCommand.RunAsync(result.GetValue(file)!, result.GetValue(data), Console.Out, error);
        });
        return command;
    }

    /// <summary>Listed for the help only: Program hands `carp ...` to ucarp's parser before System.CommandLine sees it.</summary>
    private static Command Carp()
    {
        var command = new Command(CarpVerb, "The headless daemon, a drop-in for ucarp: ucarp's own command line (appliance carp --help).")
        {
            new Argument<string[]>("ucarp options") { Arity = ArgumentArity.ZeroOrMore },
        };
        command.TreatUnmatchedTokensAsErrors = false;
        return command;
    }

    private static Option<string> DataOption() => Required(new Option<string>("--data")
    {
        Description = $"Where appliance.db lives [default: ./data; without the flag {EnvironmentSettings.Data}]",
        HelpName = "DIR",
    });

    /// <summary>When given, the option needs a non-blank value (`--data ""` is an error, not the default).</summary>
    private static Option<string> Required(Option<string> option)
    {
        option.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError($"{option.Name} needs a value.");
            }
        });
        return option;
    }
}
