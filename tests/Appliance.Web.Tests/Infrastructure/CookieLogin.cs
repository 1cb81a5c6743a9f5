using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Appliance.Web.Tests.Infrastructure;

/// <summary>The dashboard's form login over HTTP: antiforgery token, then POST /account/login (no redirects followed).</summary>
public static class CookieLogin
{
    /// <summary>A client with its own cookie jar, not yet logged in.</summary>
    public static HttpClient CreateClient(TestHost host) =>
        host.CreateClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false });

    /// <summary>Posts the login form; the response is the redirect (to the return URL, or back to /login with the error).</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string userName, string password, string returnUrl = "/")
    {
        var antiforgery = await client.GetFromJsonAsync<JsonObject>("/account/antiforgery");
        return await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [antiforgery!["formFieldName"]!.GetValue<string>()] = antiforgery["token"]!.GetValue<string>(),
            ["username"] = userName,
            ["password"] = password,
            ["returnUrl"] = returnUrl,
        }));
    }

    /// <summary>A client logged in with the cookie.</summary>
    public static async Task<HttpClient> LoginAsync(TestHost host, string userName = "admin", string password = TestHost.AdminPassword)
    {
        var client = CreateClient(host);
        using var login = await PostAsync(client, userName, password);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.DoesNotContain("error", login.Headers.Location!.OriginalString, StringComparison.Ordinal);
        return client;
    }
}
