using Appliance.Fuzz;
using SharpFuzz;

// Usage: Appliance.Fuzz TARGET           run under afl-fuzz (reads each input from AFL++'s forkserver)
//        Appliance.Fuzz TARGET FILE...   run the target once per file, no AFL (replays a corpus or a crash)
if (args.Length == 0 || !Targets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: Appliance.Fuzz {{{string.Join('|', Targets.All.Keys)}}} [FILE...]");
    return 2;
}
if (args.Length > 1)
{
    foreach (var file in args.Skip(1))
    {
        target(File.ReadAllBytes(file));
    }
    Console.WriteLine($"{args[0]}: {args.Length - 1} input(s), no crash");
    return 0;
}
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target(buffer.ToArray());
});
return 0;
