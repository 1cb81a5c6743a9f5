namespace Appliance.Lab;

/// <summary>
/// An HTTP response fetched by curl from inside a lab namespace. <see cref="StatusCode"/> is 0
/// when no response arrived (connection refused, timeout); <see cref="CurlExitCode"/> says why.
/// </summary>
public sealed record LabHttpResponse(int StatusCode, string Body, int CurlExitCode, string Error);
