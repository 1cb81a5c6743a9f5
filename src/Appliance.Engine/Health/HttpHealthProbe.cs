using System.Net.Http.Headers;

namespace Appliance.Engine.Health;

/// <summary>HTTP GET on a fresh connection each time (like keepalived's HTTP_GET), no redirects followed.</summary>
public sealed class HttpHealthProbe : IHealthProbe, IDisposable
{
    private readonly HttpClient _client;

    public HttpHealthProbe()
    {
        _client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false })
        {
            // The monitor cancels at the check's own timeout.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("appliance-health", "1"));
    }

    public async Task<HealthProbeResult> ProbeAsync(HealthCheckConfig check, CancellationToken cancellationToken)
    {
        var expected = check.EffectiveExpectedStatus;
        using var request = new HttpRequestMessage(HttpMethod.Get, check.Target);
        request.Headers.ConnectionClose = true;
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return status == expected
                ? HealthProbeResult.Ok($"GET {check.Target} returned {status}")
                : HealthProbeResult.Failed($"GET {check.Target} returned {status}, expected {expected}");
        }
        catch (HttpRequestException ex)
        {
            return HealthProbeResult.Failed($"GET {check.Target} failed: {Innermost(ex)}");
        }
    }

    private static string Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }
        return ex.Message;
    }

    public void Dispose() => _client.Dispose();
}
