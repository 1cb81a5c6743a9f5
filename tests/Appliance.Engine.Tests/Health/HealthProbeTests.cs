using System.Net;
using System.Net.Sockets;
using System.Text;
using Appliance.Engine.Health;

namespace Appliance.Engine.Tests.Health;

/// <summary>The real probes, against listeners on 127.0.0.1 only.</summary>
public sealed class HealthProbeTests
{

    private static HealthCheckConfig Check(HealthCheckKind kind, string target, int? expected = null) =>
        new("t", kind, target, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), expected);

    /// <summary>A one-request-per-connection HTTP server answering <paramref name="status"/>.</summary>
    private static async Task ServeAsync(TcpListener listener, int status, int requests)
    {
        for (var i = 0; i < requests; i++)
        {
            using var client = await listener.AcceptTcpClientAsync().WaitAsync(TestTimeouts.Default);
            var stream = client.GetStream();
            var buffer = new byte[4096];
            var seen = new StringBuilder();
            while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(buffer).AsTask().WaitAsync(TestTimeouts.Default);
                if (n == 0)
                {
                    break;
                }
                seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
            var reply = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(reply).AsTask().WaitAsync(TestTimeouts.Default);
        }
    }

    [Theory]
    [InlineData(200, true)]
    [InlineData(503, false)]
    public async Task Http_Status_ComparedWithExpected(int status, bool success)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var server = ServeAsync(listener, status, 1);
            using var probe = new HttpHealthProbe();
            var url = $"http://127.0.0.1:{port}/";

            var result = await probe.ProbeAsync(Check(HealthCheckKind.Http, url), CancellationToken.None).WaitAsync(TestTimeouts.Default);
            await server.WaitAsync(TestTimeouts.Default);

            Assert.Equal(success, result.Success);
            Assert.Equal(success ? $"GET {url} returned 200" : $"GET {url} returned 503, expected 200", result.Description);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Tcp_ListenerThenClosed_ConnectsThenRefused()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var target = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        var probe = new TcpHealthProbe();

        var up = await probe.ProbeAsync(Check(HealthCheckKind.Tcp, target), CancellationToken.None).WaitAsync(TestTimeouts.Default);
        listener.Stop();
        var down = await probe.ProbeAsync(Check(HealthCheckKind.Tcp, target), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.True(up.Success, up.Description);
        Assert.False(down.Success);
        Assert.Contains("refused", down.Description, StringComparison.OrdinalIgnoreCase);
    }

    private static HealthCheckConfig Command(string path, int? expected = null, params string[] arguments) =>
        new("t", HealthCheckKind.Command, path, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), expected, Arguments: arguments);

    [Theory]
    [InlineData("/bin/true", null, true, "/bin/true exited with 0")]
    [InlineData("/bin/false", null, false, "/bin/false exited with 1, expected 0")]
    public async Task Command_ExitCode_ComparedWithExpected(string command, int? expected, bool success, string description)
    {
        var result = await new CommandHealthProbe().ProbeAsync(Command(command, expected), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.Equal(success, result.Success);
        Assert.Equal(description, result.Description);
    }

    [Theory]
    [InlineData(3, true, " exited with 3")]
    [InlineData(null, false, " exited with 3, expected 0 (boom)")]
    public async Task Command_ScriptWithArgument_ExitCodeAndFirstLineOfStderr(int? expected, bool success, string description)
    {
        using var scripts = new ScriptFolder();
        var script = scripts.Install("exit-with", "echo boom >&2; exit \"$1\"");

        var result = await new CommandHealthProbe().ProbeAsync(Command(script, expected, "3"), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.Equal(success, result.Success);
        Assert.Equal(script + description, result.Description);
    }

    [Fact]
    public async Task Command_ChattyCheck_OutputKeptUpToTheLimitAndTheRestCounted()
    {
        using var scripts = new ScriptFolder();
        // 200,000 characters on stderr and 100,000 on stdout: 64 Ki of each kept, the rest read and counted.
        var script = scripts.Install("chatty", "head -c 200000 /dev/zero | tr '\\0' x >&2; head -c 100000 /dev/zero | tr '\\0' y; exit 1");

        var result = await new CommandHealthProbe().ProbeAsync(Command(script), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.False(result.Success);
        var dropped = 200000 - CommandHealthProbe.MaxOutputChars + 100000 - CommandHealthProbe.MaxOutputChars;
        Assert.Equal($"{script} exited with 1, expected 0 ({new string('x', 117)}...); ... {dropped} more characters of output dropped", result.Description);
    }

    [Fact]
    public async Task ReadBounded_ShortText_KeptWhole()
    {
        var (text, dropped) = await CommandHealthProbe.ReadBoundedAsync(new StringReader("ok\nfine\n"));

        Assert.Equal("ok\nfine\n", text);
        Assert.Equal(0, dropped);
    }

    [Fact]
    public async Task Command_Missing_NotRun()
    {
        var result = await new CommandHealthProbe().ProbeAsync(Command("/nonexistent/check"), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.False(result.Success);
        Assert.Equal("not run: /nonexistent/check: no scripts directory", result.Description);
    }

    [Fact]
    public async Task Command_ShellLineAsTarget_NotRun()
    {
        var result = await new CommandHealthProbe().ProbeAsync(Command("sh -c 'id'"), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.False(result.Success);
        Assert.Equal("not run: sh -c 'id': not a script in the scripts directory", result.Description);
    }

    [Fact]
    public async Task Command_Arguments_PassedAsArgvLiterally()
    {
        using var scripts = new ScriptFolder();
        var output = Path.Combine(scripts.Path, "args.txt");
        var script = scripts.InstallArgumentRecorder("record", output);

        var result = await new CommandHealthProbe().ProbeAsync(Command(script, null, "$(id); exit 0", "two words", "'q'"), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.True(result.Success, result.Description);
        Assert.Equal(["$(id); exit 0", "two words", "'q'"], File.ReadAllLines(output));
    }

    [Fact]
    public async Task Command_MadeGroupWritableAfterSaving_NotRunAnyMore()
    {
        using var scripts = new ScriptFolder();
        var marker = Path.Combine(scripts.Path, "ran");
        var script = scripts.Install("touch", $"touch '{marker}'");
        ScriptFolder.SetMode(script, ScriptFolder.Executable | UnixFileMode.GroupWrite);

        var result = await new CommandHealthProbe().ProbeAsync(Command(script), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.False(result.Success);
        Assert.Equal($"not run: {script}: writable by group or others", result.Description);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Command_Cancelled_ProcessIsKilled()
    {
        using var scripts = new ScriptFolder();
        var pidFile = Path.Combine(scripts.Path, "sleep.pid");
        var script = scripts.Install("sleeper", "echo $$ > \"$1\"; exec sleep 30");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var run = new CommandHealthProbe().ProbeAsync(Command(script, null, pidFile), cts.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TestTimeouts.Default));

        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var gone = false;
        for (var i = 0; i < 100 && !gone; i++)
        {
            gone = !Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
            if (!gone)
            {
                await Task.Delay(20);
            }
        }
        Assert.True(gone, $"sleep (pid {pid}) still runs");
    }

    [Fact]
    public async Task Monitor_RealCommandFailing_DemotesThroughTheEngine()
    {
        var engine = new FakeCarpEngine().WithVhid("eth0/3");
        using var probe = new HealthProbe();
        await using var monitor = new HealthMonitor(engine, probe, TimeProvider.System);
        var check = new HealthCheckConfig("false", HealthCheckKind.Command, "/bin/false", TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), Fall: 2);

        // A real process on the real clock: polled.
        monitor.Apply(new Dictionary<string, IReadOnlyList<HealthCheckConfig>> { ["eth0/3"] = [check] });
        await Eventually.TrueAsync(() => !engine.Demotions.IsEmpty, "a demotion");

        var demotion = Assert.Single(engine.Demotions);
        Assert.Equal("Command check false: /bin/false exited with 1, expected 0 (2 failures in a row)", demotion.Reason);
    }
}
