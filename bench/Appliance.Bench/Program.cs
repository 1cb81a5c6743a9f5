using Appliance.Bench;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"bench: {ex.Message}");
    Console.Error.WriteLine("usage: Appliance.Bench --appliance PATH [--quick] [--reps N] [--idle S] [--load S] [--out FILE] [--only LABEL]... [--skip-failover|--skip-footprint|--skip-jitter|--skip-scale|--skip-load|--load-only]");
    return 2;
}
if (Environment.UserName != "root")
{
    Console.Error.WriteLine("bench: needs root (network namespaces)");
    return 2;
}
return await new BenchRunner(options).RunAsync();
