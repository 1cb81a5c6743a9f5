using System.Diagnostics;

namespace Appliance.IntegrationTests.Platform;

/// <summary>
/// Two private namespaces joined by a veth pair: vA (02:00:00:00:00:0a, 198.18.N.1/24) in A and
/// vB (02:00:00:00:00:0b, 198.18.N.2/24) in B. Unique names per instance; deleted in Dispose.
/// </summary>
internal sealed class NetnsLab : IDisposable
{
    public NetnsLab()
    {
        var id = Random.Shared.Next(0x10000, 0xfffff).ToString("x");
        A = $"apl-dp-{id}-a";
        B = $"apl-dp-{id}-b";
        Subnet = Random.Shared.Next(1, 255);
        try
        {
            Ip($"netns add {A}");
            Ip($"netns add {B}");
            Ip($"link add name vA netns {A} address 02:00:00:00:00:0a type veth peer name vB netns {B} address 02:00:00:00:00:0b");
            Ip($"-n {A} addr add {AddressA}/24 dev vA");
            Ip($"-n {B} addr add {AddressB}/24 dev vB");
            Ip($"-n {A} link set vA up");
            Ip($"-n {B} link set vB up");
            WaitForLowerUp(A, "vA");
            WaitForLowerUp(B, "vB");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string A { get; }
    public string B { get; }
    public int Subnet { get; }
    public string AddressA => $"198.18.{Subnet}.1";
    public string AddressB => $"198.18.{Subnet}.2";
    public string Vip => $"198.18.{Subnet}.100";

    public static string Ip(string arguments) => Run("ip", arguments);

    public static string Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(10_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {arguments} timed out");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {error.Result}");
        }
        return output.Result;
    }

    public void WaitForLowerUp(string ns, string device)
    {
        for (var i = 0; i < 100; i++)
        {
            if (Ip($"-n {ns} link show {device}").Contains("LOWER_UP", StringComparison.Ordinal))
            {
                return;
            }
            Thread.Sleep(50);
        }
        throw new TimeoutException($"{device} in {ns} never reported LOWER_UP");
    }

    public void Dispose()
    {
        foreach (var ns in new[] { A, B })
        {
            try
            {
                Ip($"netns del {ns}");
            }
            catch (InvalidOperationException)
            {
                // Not created (setup failed half-way).
            }
        }
    }
}
