using System.Diagnostics;
using System.Runtime.InteropServices;
using Appliance.Engine.Hosting;
using Appliance.Engine.Transport;
using Microsoft.Extensions.Logging;

namespace Appliance.Engine.Cli;

/// <summary>
/// <c>appliance carp</c>: the headless daemon, a drop-in for the <c>ucarp</c> binary (same flags, same
/// log lines, same script calls), running any number of VHIDs in one process.
/// </summary>
public static class CarpCommand
{
    private const string DaemonizedVariable = "APPLIANCE_CARP_DAEMONIZED";

    /// <summary>Runs the daemon until a signal stops it; returns the exit code (1 for bad input, naming the field).</summary>
    /// <param name="args">ucarp's command line.</param>
    /// <param name="dataPlane">Sockets, addresses and links.</param>
    /// <param name="verb">The argument that selects this command in the running executable (<c>carp</c> in the
    /// product); null for the native appliance-carp, whose whole command line is ucarp's. --daemonize repeats it.</param>
    public static async Task<int> RunAsync(string[] args, IDataPlane dataPlane, string? verb)
    {
        if (!UcarpCommandLine.TryParse(args, out var parsed, out var error))
        {
            await Console.Error.WriteLineAsync($"appliance carp: {error}").ConfigureAwait(false);
            return 1;
        }
        if (parsed.Global.Help)
        {
            await Console.Out.WriteLineAsync(UcarpCommandLine.Usage).ConfigureAwait(false);
            return 0;
        }
        foreach (var vhid in parsed.Vhids)
        {
            if (dataPlane.GetInterfaceIndex(vhid.Interface) is null)
            {
                await Console.Error.WriteLineAsync($"appliance carp: --interface: no such interface '{vhid.Interface}'").ConfigureAwait(false);
                return 1;
            }
        }
        var daemonized = Environment.GetEnvironmentVariable(DaemonizedVariable) == "1";
        if (parsed.Global.Daemonize && !daemonized)
        {
            return Detach(args, verb);
        }

        // Timers on a dedicated thread: adverts and master-down never wait for the thread pool.
        using var time = new EngineTimeProvider();
        using var provider = new UcarpLoggerProvider(time, console: !daemonized, parsed.Global.Debug, parsed.Global.Facility, prefixVhid: parsed.Vhids.Count > 1);
        using var loggerFactory = LoggerFactory.Create(b => b.ClearProviders().AddProvider(provider).SetMinimumLevel(parsed.Global.Debug ? LogLevel.Debug : LogLevel.Information));
        var log = loggerFactory.CreateLogger("Appliance.Carp");
        var engine = new CarpEngine(dataPlane, time, loggerFactory);
        // ucarp without --shutdown dies on TERM/INT/QUIT/HUP without touching anything (the scripts own
        // the VIP). With --shutdown, or when the engine owns the VIP, we stop gracefully: bow out, wait for
        // the backup to claim the VIP, release it, run the downscript.
        var graceful = parsed.Global.Shutdown || parsed.Vhids.Any(v => v.ManageVip);
        var stop = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var registrations = new List<PosixSignalRegistration>();
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT, PosixSignal.SIGHUP })
        {
            registrations.Add(PosixSignalRegistration.Create(signal, ctx =>
            {
                ctx.Cancel = true;
                stop.TrySetResult(0);
            }));
        }
        // Raw signal numbers are allowed by PosixSignalRegistration on Unix.
        registrations.Add(PosixSignalRegistration.Create((PosixSignal)10 /* SIGUSR1 */, ctx =>
        {
            ctx.Cancel = true;
            foreach (var line in engine.Describe())
            {
                log.LogInformation("{Line}", line);
            }
        }));
        registrations.Add(PosixSignalRegistration.Create((PosixSignal)12 /* SIGUSR2 */, ctx =>
        {
            ctx.Cancel = true;
            engine.ForceBackup();
        }));
        try
        {
            try
            {
                await engine.ApplyAsync(parsed.Vhids, CancellationToken.None).ConfigureAwait(false);
            }
            catch (InvalidOperationException ex)
            {
                log.LogError("{Error}", ex.Message);
                await engine.DisposeAsync().ConfigureAwait(false);
                return 1;
            }
            // Parsing, validation and opening the sockets left garbage behind (megabytes at 255 VHIDs); from here on
            // the daemon allocates next to nothing, so give those pages back now rather than keep them resident.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            await stop.Task.ConfigureAwait(false);
            if (graceful)
            {
                await engine.DisposeAsync().ConfigureAwait(false);
            }
            return 0;
        }
        finally
        {
            foreach (var r in registrations)
            {
                r.Dispose();
            }
        }
    }

    /// <summary>
    /// --daemonize: .NET cannot fork, so start ourselves again in a new session (setsid) with standard
    /// streams on /dev/null and logging to syslog only, and return at once like ucarp's parent does.
    /// </summary>
    private static int Detach(string[] args, string? verb)
    {
        var self = Environment.ProcessPath ?? "dotnet";
        var psi = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-f");
        psi.ArgumentList.Add(self);
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            psi.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        }
        if (verb is not null)
        {
            psi.ArgumentList.Add(verb);
        }
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment[DaemonizedVariable] = "1";
        using var child = Process.Start(psi);
        if (child is null)
        {
            Console.Error.WriteLine("appliance carp: --daemonize: could not start setsid");
            return 1;
        }
        child.StandardInput.Close();
        child.WaitForExit(5000);
        return 0;
    }
}
