using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Appliance.Lab;

public sealed partial class NetworkLab
{
    private const string CurlStatusMarker = "\n@@apl-http-status@@";

    /// <summary>
    /// Runs <c>ip netns exec &lt;node ns&gt; command…</c> to completion (default timeout 20 s;
    /// killed and <see cref="TimeoutException"/> after it).
    /// </summary>
    public LabCommandResult Run(LabNode node, params string[] command) => Run(node, CommandTimeout, command);

    /// <inheritdoc cref="Run(LabNode, string[])"/>
    public LabCommandResult Run(LabNode node, TimeSpan timeout, params string[] command)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentOutOfRangeException.ThrowIfZero(command.Length);
        return Exec("ip", ["netns", "exec", node.Namespace, .. command], timeout);
    }

    /// <summary><see cref="Run(LabNode, TimeSpan, string[])"/> off the calling thread.</summary>
    public Task<LabCommandResult> RunAsync(LabNode node, TimeSpan timeout, params string[] command) =>
        Task.Run(() => Run(node, timeout, command));

    /// <summary>
    /// Starts <paramref name="fileName"/> inside the node's namespace and captures its output.
    /// The process is killed (SIGKILL) when the lab is disposed.
    /// </summary>
    public LabProcess Start(
        LabNode node,
        string fileName,
        IEnumerable<string>? args = null,
        IReadOnlyDictionary<string, string>? env = null,
        string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        var psi = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? WorkDirectory,
        };
        psi.ArgumentList.Add("netns");
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(node.Namespace);
        psi.ArgumentList.Add(fileName);
        foreach (var arg in args ?? [])
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        var description = string.Join(' ', psi.ArgumentList.Skip(3));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {description}");
            process.StandardInput.Close();
            var labProcess = new LabProcess(node, description, process);
            _processes.Add(labProcess);
            return labProcess;
        }
    }

    /// <summary>
    /// Plugs or pulls the node's cable: sets the bridge-side veth end up or down, so the node's
    /// interface gains or loses carrier (LOWER_UP) while keeping its addresses.
    /// </summary>
    public void SetLinkUp(LabNode node, bool up)
    {
        ArgumentNullException.ThrowIfNull(node);
        IpChecked("-n", BridgeNamespace, "link", "set", "dev", node.BridgePort, up ? "up" : "down");
    }

    /// <summary>True when the node's interface reports LOWER_UP (carrier).</summary>
    public bool IsLinkUp(LabNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var link = IpChecked("-n", node.Namespace, "-o", "link", "show", "dev", node.Interface);
        var flagsStart = link.StdOut.IndexOf('<', StringComparison.Ordinal);
        var flagsEnd = link.StdOut.IndexOf('>', StringComparison.Ordinal);
        return flagsStart >= 0 && flagsEnd > flagsStart
            && link.StdOut[(flagsStart + 1)..flagsEnd].Split(',').Contains("LOWER_UP");
    }

    /// <summary>Polls (every 20 ms) until the node's interface reports LOWER_UP; throws on timeout.</summary>
    public Task WaitForLinkUpAsync(LabNode node, TimeSpan timeout) =>
        Task.Run(() => WaitForLinkUp(node, timeout));

    private void WaitForLinkUp(LabNode node, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!IsLinkUp(node))
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{node.Namespace}/{node.Interface} not LOWER_UP within {timeout}.");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>The IPv4 addresses on the node's interfaces, from <c>ip -4 -o addr show</c>.</summary>
    public IReadOnlyList<IPAddress> GetAddresses(LabNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var result = IpChecked("-n", node.Namespace, "-4", "-o", "addr", "show");
        var addresses = new List<IPAddress>();
        foreach (var line in result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "2: eth0    inet 198.18.7.10/24 brd 198.18.7.255 scope global eth0\ ..."
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var inet = Array.IndexOf(fields, "inet");
            if (inet >= 0 && inet + 1 < fields.Length
                && IPAddress.TryParse(fields[inet + 1].Split('/')[0], out var address))
            {
                addresses.Add(address);
            }
        }

        return addresses;
    }

    /// <summary>True when any interface of the node holds <paramref name="address"/>.</summary>
    public bool HasAddress(LabNode node, IPAddress address) => GetAddresses(node).Contains(address);

    /// <summary>
    /// GETs <paramref name="url"/> with curl from inside the node's namespace (no proxy, default
    /// 5 s timeout). Never throws for HTTP or connection errors: see <see cref="LabHttpResponse"/>.
    /// </summary>
    public async Task<LabHttpResponse> HttpGetAsync(LabNode node, string url, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(5);
        var seconds = Math.Max(1, limit.TotalSeconds).ToString("0.###", CultureInfo.InvariantCulture);
        var result = await RunAsync(
            node,
            limit + TimeSpan.FromSeconds(5),
            "curl", "--silent", "--show-error", "--noproxy", "*", "--max-time", seconds,
            "--write-out", CurlStatusMarker + "%{http_code}", url).ConfigureAwait(false);
        var marker = result.StdOut.LastIndexOf(CurlStatusMarker, StringComparison.Ordinal);
        if (marker < 0)
        {
            return new LabHttpResponse(0, string.Empty, result.ExitCode, result.StdErr.Trim());
        }

        _ = int.TryParse(result.StdOut.AsSpan(marker + CurlStatusMarker.Length).Trim(), CultureInfo.InvariantCulture, out var status);
        return new LabHttpResponse(status, result.StdOut[..marker], result.ExitCode, result.StdErr.Trim());
    }

    /// <summary>Every network namespace on the machine (<c>ip netns list</c>), to check cleanup.</summary>
    public static IReadOnlyList<string> ListNamespaces()
    {
        var result = Ip("netns", "list");
        // "apl-1a2b3c-a (id: 3)": the name is the first word.
        return [.. result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 2)[0])];
    }

    /// <summary>
    /// Writes an executable file (mode 0755) into <see cref="WorkDirectory"/> and returns its
    /// path. Give scripts a shebang.
    /// </summary>
    public string WriteExecutable(string fileName, string content)
    {
        var path = Path.Combine(WorkDirectory, fileName);
        File.WriteAllText(path, content.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(path,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return path;
    }
}
