using System.Globalization;

namespace Appliance.Bench;

/// <summary>Command line of the benchmark (see bench/README.md).</summary>
internal sealed record BenchOptions
{
    public int Repetitions { get; init; } = 5;

    public TimeSpan Idle { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan Load { get; init; } = TimeSpan.FromSeconds(60);

    public bool Quick { get; init; }

    public string ApplianceExe { get; init; } = "";

    /// <summary>The repository's ./appliance launcher: `appliance carp` runs through it (the native appliance-carp).</summary>
    public string Launcher { get; init; } = Path.GetFullPath("appliance");

    /// <summary>The scale part's measuring window per daemon and VHID count.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Starts per daemon for the start-up median.</summary>
    public int Starts { get; init; } = 5;

    public string Output { get; init; } = "bench/results.md";

    /// <summary>Only daemons whose label contains one of these (empty = all).</summary>
    public IReadOnlyList<string> Only { get; init; } = [];

    public bool SkipFailover { get; init; }

    public bool SkipFootprint { get; init; }

    public bool SkipJitter { get; init; }

    public bool SkipScale { get; init; }

    /// <summary>Skips issue 10's load run (<see cref="LoadRun"/>: 200 connections, 50 VHIDs, keepalived beside it).</summary>
    public bool SkipLoad { get; init; }

    public string CommandLine { get; init; } = "";

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions { CommandLine = string.Join(' ', args) };
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--quick" => o with { Quick = true, Repetitions = 1, Idle = TimeSpan.FromSeconds(10), Load = TimeSpan.FromSeconds(10), Window = TimeSpan.FromSeconds(10) },
                "--reps" => o with { Repetitions = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--idle" => o with { Idle = TimeSpan.FromSeconds(int.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--load" => o with { Load = TimeSpan.FromSeconds(int.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--appliance" => o with { ApplianceExe = Path.GetFullPath(Next()) },
                "--launcher" => o with { Launcher = Path.GetFullPath(Next()) },
                "--window" => o with { Window = TimeSpan.FromSeconds(int.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--out" => o with { Output = Next() },
                "--only" => o with { Only = [.. o.Only, Next()] },
                "--skip-failover" => o with { SkipFailover = true },
                "--skip-footprint" => o with { SkipFootprint = true },
                "--skip-jitter" => o with { SkipJitter = true },
                "--skip-scale" => o with { SkipScale = true },
                "--skip-load" => o with { SkipLoad = true },
                "--load-only" => o with { SkipFailover = true, SkipFootprint = true, SkipScale = true, SkipJitter = true, SkipLoad = false },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (o.Repetitions is < 1 or > 20)
        {
            throw new ArgumentException("--reps must be 1..20");
        }
        if (o.Idle > TimeSpan.FromMinutes(5) || o.Load > TimeSpan.FromMinutes(5) || o.Window > TimeSpan.FromMinutes(2))
        {
            throw new ArgumentException("--idle/--load at most 300 s, --window at most 120 s");
        }
        if (!File.Exists(o.Launcher))
        {
            throw new ArgumentException($"--launcher: '{o.Launcher}' does not exist (the repository's ./appliance)");
        }
        if (!File.Exists(o.ApplianceExe))
        {
            throw new ArgumentException($"--appliance: '{o.ApplianceExe}' does not exist (build src/Appliance first)");
        }
        return o;
    }
}
