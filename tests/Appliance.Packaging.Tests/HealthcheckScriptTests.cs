using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Packaging.Tests;

/// <summary>docker/healthcheck.sh against a one-shot HTTP listener on 127.0.0.1 (loopback only).</summary>
public sealed class HealthcheckScriptTests
{

    private static async Task<string> AnswerOnceAsync(TcpListener listener, int status)
    {
        using var client = await listener.AcceptTcpClientAsync().WaitAsync(TestTimeouts.Default);
        var stream = client.GetStream();
        var seen = new StringBuilder();
        var buffer = new byte[1024];
        while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer).AsTask().WaitAsync(TestTimeouts.Default);
            if (n == 0)
            {
                break;
            }
            seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} X\r\nContent-Length: 0\r\n\r\n")).AsTask().WaitAsync(TestTimeouts.Default);
        return seen.ToString();
    }

    [Theory]
    [InlineData(200, 0, false)]
    [InlineData(503, 1, false)]
    [InlineData(200, 0, true)]
    public async Task Healthcheck_PathOnApplianceUrls_ExitCodeFollowsStatus(int status, int exitCode, bool httpsFirst)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var server = AnswerOnceAsync(listener, status);
            // A wildcard first URL is reached on loopback.
            // With HTTPS on the LAN address first (docker/node*.env), the loopback http:// listener is the one checked.
            var urls = httpsFirst ? $"https://198.18.0.9:1; http://0.0.0.0:{port}" : $"http://0.0.0.0:{port};http://198.18.0.9:1";
            var env = new Dictionary<string, string> { ["APPLIANCE_URLS"] = urls };

            var result = await ExternalProcess.RunAsync("bash", [Repository.PathOf("docker", "healthcheck.sh"), "/healthz"], TestTimeouts.Default, env);
            var request = await server.WaitAsync(TestTimeouts.Default);

            Assert.Equal(exitCode, result.ExitCode);
            Assert.StartsWith("GET /healthz HTTP/1.0\r\n", request, StringComparison.Ordinal);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Healthcheck_NothingListening_Fails()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await ExternalProcess.RunAsync("bash", [Repository.PathOf("docker", "healthcheck.sh"), $"http://127.0.0.1:{port}/healthz"], TestTimeouts.Default);

        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Healthcheck_OnlyHttpsUrls_FailsAskingForALoopbackHttpListener()
    {
        var env = new Dictionary<string, string> { ["APPLIANCE_URLS"] = "https://198.18.0.9:8443" };

        var result = await ExternalProcess.RunAsync("bash", [Repository.PathOf("docker", "healthcheck.sh"), "/healthz"], TestTimeouts.Default, env);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no http:// URL in https://198.18.0.9:8443", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthcheck_Https_RefusedWithReason()
    {
        var result = await ExternalProcess.RunAsync("bash", [Repository.PathOf("docker", "healthcheck.sh"), "https://127.0.0.1:8443/healthz"], TestTimeouts.Default);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("only http://", result.Stderr, StringComparison.Ordinal);
    }
}
