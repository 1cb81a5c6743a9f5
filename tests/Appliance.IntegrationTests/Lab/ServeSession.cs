using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Lab;
using Tmds.Linux;

namespace Appliance.IntegrationTests.Lab;

/// <summary>
/// One `appliance serve --data DATA` in a lab node, with an API client whose connections are made inside the node's
/// namespace (https://127.0.0.1:8080, the certificate the node generates in DATA pinned, nothing else trusted), logged
/// in as admin. Disposing stops it with SIGTERM (SIGKILL after 30 s).
/// </summary>
public sealed class ServeSession : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly NetnsSocketFactory _sockets;

    private ServeSession(LabNode node, LabProcess process, NetnsSocketFactory sockets, HttpClient client)
    {
        Node = node;
        Process = process;
        _sockets = sockets;
        Client = client;
    }

    public LabNode Node { get; }
    public LabProcess Process { get; }
    public HttpClient Client { get; }

    /// <summary>Starts serve with APPLIANCE_ADMIN_PASSWORD and <paramref name="env"/>; returns once the admin is logged in.</summary>
    public static async Task<ServeSession> StartAsync(NetworkLab lab, LabNode node, string data, string adminPassword, IReadOnlyDictionary<string, string>? env = null)
    {
        var environment = new Dictionary<string, string>(env ?? new Dictionary<string, string>()) { ["APPLIANCE_ADMIN_PASSWORD"] = adminPassword };
        var process = ApplianceBinary.Start(lab, node, ["serve", "--urls", "https://0.0.0.0:8080", "--data", data], environment);
        var sockets = new NetnsSocketFactory(node.Namespace);
        var client = sockets.CreateHttpClient(TimeSpan.FromSeconds(5), new PinnedCertificate(Path.Combine(data, "https.pfx")).Validate);
        client.BaseAddress = new Uri("https://127.0.0.1:8080");
        var started = new ServeSession(node, process, sockets, client);
        try
        {
            await started.LoginAsync(adminPassword);
            return started;
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!Process.HasExited)
        {
            Process.Kill(LibC.SIGTERM);
            try
            {
                await Process.WaitForExitAsync(Timeout);
            }
            catch (TimeoutException)
            {
                Process.Kill();
            }
        }
        Process.Dispose();
        _sockets.Dispose();
    }

    /// <summary>The API answers once the host started (a dotnet start takes a few seconds): bounded polling of the token endpoint.</summary>
    private async Task LoginAsync(string adminPassword)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            // Exit code 78: the store did not open.
            Assert.False(Process.HasExited, $"appliance on {Node.Name} exited with {Process.ExitCode}:\n{Process.Output}");
            try
            {
                using var response = await Client.PostAsJsonAsync("/api/auth/token", new { username = "admin", password = adminPassword });
                if (response.IsSuccessStatusCode)
                {
                    var token = (await response.Content.ReadFromJsonAsync<JsonNode>())!["token"]!.GetValue<string>();
                    Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            Assert.True(DateTime.UtcNow < deadline, $"appliance on {Node.Name} did not answer:\n{Process.Output}");
            await Task.Delay(200);
        }
    }
}
