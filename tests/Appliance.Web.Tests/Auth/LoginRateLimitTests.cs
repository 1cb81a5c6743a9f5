using System.Net;
using System.Net.Http.Json;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Auth;

public sealed class LoginRateLimitTests
{
    [Fact]
    public async Task TokenEndpoint_MoreBadLoginsThanPermitted_Returns429()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions
        {
            Configuration = new Dictionary<string, string?> { ["Appliance:LoginPermitLimit"] = "3", ["Appliance:LoginWindow"] = "00:10:00" },
        });
        using var client = host.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.PostAsJsonAsync("/api/auth/token", new { username = "admin", password = $"guess-{i}" });
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        // Even the right password is refused until the window passes.
        using var right = await client.PostAsJsonAsync("/api/auth/token", new { username = "admin", password = TestHost.AdminPassword });
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        // As the OpenAPI document says (ApiDocumentation): problem details.
        Assert.Equal("application/problem+json", right.Content.Headers.ContentType?.MediaType);
    }
}
