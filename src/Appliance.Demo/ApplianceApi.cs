using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Appliance.Lab;

namespace Appliance.Demo;

/// <summary>The parts of GET /api/status the demo reads.</summary>
internal sealed record VhidStatus(string Key, int? Id, int Vhid, string Vip, string State, bool Maintenance, string? Demotion, string? Message);

/// <summary>One entry of GET /api/history (newest first): a state change, or (by kind) a demotion, a carrier change, a split brain.</summary>
internal sealed record Transition(long Id, DateTimeOffset At, int Vhid, string From, string To, string Cause, string LogLine, string Kind = "transition");

internal sealed record CreatedVhid(int Id, int Vhid, string Vip, double MasterDownMs);

/// <summary>
/// A REST client for one node's `appliance serve`, connecting to https://127.0.0.1:8080 inside the node's
/// namespace (the node's loopback: nothing leaves the lab). It trusts exactly the certificate that node generated
/// (DIR/https.pfx, pinned by its SHA-256 fingerprint), no other.
/// </summary>
internal sealed class ApplianceApi : IDisposable
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly NetnsSocketFactory _sockets;
    private readonly HttpClient _http;
    private readonly string _password;
    private readonly PinnedCertificate _certificate;
    private string? _token;

    public ApplianceApi(string namespaceName, int port, string adminPassword, string dataDirectory)
    {
        _sockets = new NetnsSocketFactory(namespaceName);
        _certificate = new PinnedCertificate(Path.Combine(dataDirectory, "https.pfx"));
        _http = _sockets.CreateHttpClient(TimeSpan.FromSeconds(5), _certificate.Validate);
        _http.BaseAddress = new Uri($"https://127.0.0.1:{port}/");
        _password = adminPassword;
    }

    /// <summary>The SHA-256 fingerprint of the node's generated certificate, once written.</summary>
    public string? Fingerprint => _certificate.Fingerprint;

    /// <summary>Logs in as admin; false while the appliance is not answering yet.</summary>
    public async Task<bool> TryLoginAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.PostAsJsonAsync("api/auth/token", new { username = "admin", password = _password }, JsonOptions, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(JsonOptions, cancellationToken);
            _token = body.GetProperty("token").GetString();
            return _token is not null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Polls (every 200 ms, bounded) until the appliance answers and the login works.</summary>
    public async Task LoginAsync(TimeSpan timeout, Func<string?> diagnostics, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        while (!await TryLoginAsync(limit.Token))
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), limit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"the appliance in {_sockets.NamespaceName} did not answer within {timeout.TotalSeconds:0} s. {diagnostics()}");
            }
        }
    }

    public async Task<CreatedVhid> CreateVhidAsync(object input, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, "api/vhids", input, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"POST /api/vhids on {_sockets.NamespaceName}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        return (await response.Content.ReadFromJsonAsync<CreatedVhid>(JsonOptions, cancellationToken))!;
    }

    public async Task SetMaintenanceAsync(int id, bool enabled, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(enabled ? HttpMethod.Post : HttpMethod.Delete, $"api/vhids/{id}/maintenance", null, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(enabled ? "POST" : "DELETE")} /api/vhids/{id}/maintenance on {_sockets.NamespaceName}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    public async Task<IReadOnlyList<VhidStatus>> GetStatusAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, "api/status", null, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<List<VhidStatus>>(JsonOptions, cancellationToken))!;
    }

    public async Task<IReadOnlyList<Transition>> GetHistoryAsync(int vhid, int take, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"api/history?vhid={vhid}&take={take}", null, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<List<Transition>>(JsonOptions, cancellationToken))!;
    }

    /// <summary>The property names of a schema in the appliance's OpenAPI document (GET /openapi/v1.json); empty when absent.</summary>
    public async Task<IReadOnlyList<string>> GetSchemaPropertiesAsync(string schema, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, "openapi/v1.json", null, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return [];
        }
        var document = await response.Content.ReadFromJsonAsync<JsonElement>(JsonOptions, cancellationToken);
        return document.TryGetProperty("components", out var components)
            && components.TryGetProperty("schemas", out var schemas)
            && schemas.TryGetProperty(schema, out var found)
            && found.TryGetProperty("properties", out var properties)
            ? [.. properties.EnumerateObject().Select(p => p.Name)]
            : [];
    }

    public void Dispose()
    {
        _http.Dispose();
        _sockets.Dispose();
    }

    /// <summary>Sends with the bearer token; on 401 (e.g. a token from before a restart) logs in once more and retries.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body, options: JsonOptions);
            }
            var response = await _http.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Unauthorized || attempt > 0)
            {
                return response;
            }
            response.Dispose();
            await TryLoginAsync(cancellationToken);
        }
    }
}
