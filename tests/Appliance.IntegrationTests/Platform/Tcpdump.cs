using System.Diagnostics;

namespace Appliance.IntegrationTests.Platform;

/// <summary>tcpdump in a namespace, capturing a fixed number of packets; started by us and killed by PID.</summary>
internal sealed class Tcpdump : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;

    public Tcpdump(string ns, string device, int count, string filter)
    {
        _process = Process.Start(new ProcessStartInfo("ip", $"netns exec {ns} tcpdump -i {device} -l -nn -v -XX -c {count} {filter}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _output = _process.StandardOutput.ReadToEndAsync();
        // tcpdump announces "listening on ..." on stderr once the capture is armed.
        var ready = Task.Run(() => _process.StandardError.ReadLine());
        if (!ready.Wait(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException("tcpdump did not start");
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The decoded capture once tcpdump has seen its packets, or null after the timeout.</summary>
    public string? WaitForOutput(TimeSpan timeout) =>
        _process.WaitForExit(timeout) && _output.Wait(timeout) ? _output.Result : null;

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }
}
