using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Appliance.Engine.Transport;
using Appliance.Web.Auth;
using Appliance.Web.Hosting;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Hosting;

/// <summary>
/// HTTPS on real Kestrel from a fresh data directory (generated certificate, its file mode and reuse, HSTS, Secure
/// cookie), one's own certificate, the plain-HTTP refusal off loopback, and the security headers and antiforgery
/// check on every kind of answer.
/// </summary>
public sealed class HttpsTests : IDisposable
{
    private const string HttpsUrl = "https://127.0.0.1:0";
    private readonly TempDirectory _data = new();

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task FreshDirectory_Https_GeneratesCertificate0600_ServesHstsAndSecureCookie_ReusesItOnRestart()
    {
        string fingerprint;
        await using (var host = await StartHttpsAsync())
        {
            var file = Path.Combine(_data.Path, CertificateProvider.FileName);
            Assert.True(File.Exists(file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            var certificate = host.Services.GetRequiredService<ServerCertificate>();
            Assert.True(certificate.Generated);
            fingerprint = certificate.Fingerprint!;
            Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", fingerprint);
            using (var onDisk = X509CertificateLoader.LoadPkcs12FromFile(file, null))
            {
                Assert.Equal(fingerprint, CertificateProvider.Fingerprint(onDisk));
                var san = onDisk.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
                Assert.Contains(IPAddress.Loopback, san.EnumerateIPAddresses());
                Assert.Contains(IPAddress.IPv6Loopback, san.EnumerateIPAddresses());
                Assert.Contains("localhost", san.EnumerateDnsNames());
                Assert.Contains(Dns.GetHostName(), san.EnumerateDnsNames());
            }

            var cookies = new CookieContainer();
            using var client = PinnedClient(host, fingerprint, cookies);
            using var health = await client.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal($"max-age={(int)HttpsSecurity.HstsMaxAge.TotalSeconds}", Assert.Single(health.Headers.GetValues("Strict-Transport-Security")));

            using var login = await LoginAsync(client);
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            var authCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith(AuthSchemes.CookieName + "=", StringComparison.Ordinal));
            Assert.Contains("; secure", authCookie, StringComparison.OrdinalIgnoreCase);
            Assert.All(cookies.GetAllCookies(), c => Assert.True(c.Secure, c.Name));

            // The dashboard's about page shows what to compare with the browser's certificate view.
            var about = await client.GetStringAsync("/about");
            Assert.Contains(fingerprint, about, StringComparison.Ordinal);
            Assert.Contains(host.BaseAddress.ToString().TrimEnd('/'), about, StringComparison.Ordinal);
        }

        await using (var again = await StartHttpsAsync())
        {
            Assert.Equal(fingerprint, again.Services.GetRequiredService<ServerCertificate>().Fingerprint);
            using var client = PinnedClient(again, fingerprint);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        }
    }

    [Fact]
    public async Task PlainHttp_OnLoopback_HasNoHstsAndCookiesFollowTheRequest()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions { DataDirectory = _data.Path });
        using var client = host.CreateClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false });

        using var login = await LoginAsync(client);

        Assert.False(login.Headers.Contains("Strict-Transport-Security"));
        Assert.All(login.Headers.GetValues("Set-Cookie"), c => Assert.DoesNotContain("; secure", c, StringComparison.OrdinalIgnoreCase));
        Assert.False(File.Exists(Path.Combine(_data.Path, CertificateProvider.FileName)));
        Assert.Null(host.Services.GetRequiredService<ServerCertificate>().Certificate);
        Assert.Contains("none: plain HTTP", await client.GetStringAsync("/about"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OwnCertificate_PfxOrPem_IsServedAndNothingIsGenerated(bool pem)
    {
        using var own = SelfSigned("own.example");
        var path = Path.Combine(_data.Path, "own");
        Directory.CreateDirectory(path);
        var configuration = new Dictionary<string, string?>();
        if (pem)
        {
            File.WriteAllText(Path.Combine(path, "cert.pem"), own.ExportCertificatePem());
            File.WriteAllText(Path.Combine(path, "key.pem"), own.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            configuration["Appliance:Certificate:Path"] = Path.Combine(path, "cert.pem");
            configuration["Appliance:Certificate:KeyPath"] = Path.Combine(path, "key.pem");
        }
        else
        {
            File.WriteAllBytes(Path.Combine(path, "own.pfx"), own.Export(X509ContentType.Pkcs12, "pfx-secret"));
            configuration["Appliance:Certificate:Path"] = Path.Combine(path, "own.pfx");
            configuration["Appliance:Certificate:Password"] = "pfx-secret";
        }

        await using var host = await StartHttpsAsync(configuration);

        var fingerprint = CertificateProvider.Fingerprint(own);
        Assert.Equal(fingerprint, host.Services.GetRequiredService<ServerCertificate>().Fingerprint);
        using var client = PinnedClient(host, fingerprint);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.False(File.Exists(Path.Combine(_data.Path, CertificateProvider.FileName)));
    }

    [Theory]
    [InlineData("missing.pfx", null)]
    [InlineData("garbage.pfx", null)]
    [InlineData("own.pfx", "wrong-password")]
    public async Task OwnCertificate_Unusable_StopsWithOneLineNamingTheField(string file, string? password)
    {
        using var own = SelfSigned("own.example");
        Directory.CreateDirectory(_data.Path);
        File.WriteAllBytes(Path.Combine(_data.Path, "own.pfx"), own.Export(X509ContentType.Pkcs12, "pfx-secret"));
        File.WriteAllText(Path.Combine(_data.Path, "garbage.pfx"), "not a certificate");
        var configuration = new Dictionary<string, string?>
        {
            ["Appliance:Certificate:Path"] = Path.Combine(_data.Path, file),
            ["Appliance:Certificate:Password"] = password,
        };

        var error = await Assert.ThrowsAsync<ApplianceConfigurationException>(() => StartHttpsAsync(configuration));

        var line = Assert.Single(error.Errors);
        Assert.StartsWith("Appliance:Certificate:Path: cannot load the HTTPS certificate", line, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8080")]
    [InlineData("http://[::]:8080")]
    [InlineData("http://192.0.2.11:8080")]
    [InlineData("http://appliance.example:8080")]
    public void PlainHttp_OffLoopback_IsRefusedBeforeBinding(string url)
    {
        using var error = new StringWriter();

        Assert.Equal(1, ServeCommand.TryCreate(new ServeArguments(url, _data.Path), error, Fakes, out _));

        var https = "https://" + url["http://".Length..];
        Assert.Equal(
            $"appliance: invalid configuration: urls (--urls, APPLIANCE_URLS, ASPNETCORE_URLS): refusing plain HTTP on {url}: use {https} "
            + "(a certificate is generated) or --allow-http (Appliance:AllowHttp, APPLIANCE_ALLOWHTTP)." + Environment.NewLine,
            error.ToString());
        // Refused before the store was opened: nothing was written.
        Assert.False(Directory.Exists(_data.Path) && Directory.EnumerateFileSystemEntries(_data.Path).Any());
    }

    [Theory]
    [InlineData("flag")]
    [InlineData("allowhttp")]
    [InlineData("Appliance:AllowHttp")]
    public void PlainHttp_OffLoopback_AllowedExplicitly(string how)
    {
        using var error = new StringWriter();
        var arguments = new ServeArguments("http://0.0.0.0:8080", _data.Path, AllowHttp: how == "flag");

        Assert.True(0 == ServeCommand.TryCreate(arguments, error, builder =>
        {
            Fakes(builder);
            if (how != "flag")
            {
                builder.Configuration[how] = "true";
            }
        }, out var app), error.ToString());

        // Not started: binding 0.0.0.0 would listen beyond loopback.
        using (app!.App)
        {
            Assert.Equal(["http://0.0.0.0:8080"], app.App.Urls);
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://localhost:8080")]
    [InlineData("http://[::1]:8080")]
    [InlineData("https://0.0.0.0:8443;http://127.0.0.1:8080")]
    public void PlainHttp_OnLoopback_OrHttpsAnywhere_IsAccepted(string urls)
    {
        using var error = new StringWriter();

        Assert.True(0 == ServeCommand.TryCreate(new ServeArguments(urls, _data.Path), error, Fakes, out var app), error.ToString());

        using (app!.App)
        {
            Assert.Equal(urls.Split(';'), app.App.Urls);
        }
    }

    [Fact]
    public void AllowHttp_NotABoolean_NamesTheSetting()
    {
        using var error = new StringWriter();

        Assert.Equal(1, ServeCommand.TryCreate(new ServeArguments("http://0.0.0.0:8080", _data.Path), error, builder =>
        {
            Fakes(builder);
            builder.Configuration[EnvironmentSettings.AllowHttpKey] = "maybe";
        }, out _));

        Assert.Contains("APPLIANCE_ALLOWHTTP (--allow-http): 'maybe' is not true or false.", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecurityHeaders_OnApiPage401AndStaticFile_RelaxedOnlyForTheApiReference()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions { DataDirectory = _data.Path });
        using var anonymous = host.CreateClient();
        using var client = await host.CreateAuthenticatedClientAsync();

        foreach (var (response, expected) in new[]
        {
            (await client.GetAsync("/api/vhids"), HttpStatusCode.OK),
            (await anonymous.GetAsync("/login"), HttpStatusCode.OK),
            (await anonymous.GetAsync("/api/vhids"), HttpStatusCode.Unauthorized),
            (await anonymous.GetAsync("/favicon.svg"), HttpStatusCode.OK),
            (await anonymous.GetAsync("/no-such-page"), HttpStatusCode.Redirect),
        })
        {
            using (response)
            {
                Assert.Equal(expected, response.StatusCode);
                Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
                Assert.Equal(HttpsSecurity.ContentSecurityPolicy, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
                Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
            }
        }
        Assert.Contains("default-src 'self'", HttpsSecurity.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", HttpsSecurity.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", HttpsSecurity.ContentSecurityPolicy, StringComparison.Ordinal);

        using var reference = await client.GetAsync("/api/docs/");
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
        Assert.Equal(HttpsSecurity.ReferenceContentSecurityPolicy, Assert.Single(reference.Headers.GetValues("Content-Security-Policy")));
        Assert.Contains("frame-ancestors 'none'", HttpsSecurity.ReferenceContentSecurityPolicy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Antiforgery_CookieWriteNeedsTheHeader_BearerDoesNot()
    {
        await using var host = await TestHost.StartAsync(new TestHostOptions { DataDirectory = _data.Path });
        using var browser = host.CreateClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false });
        using (var login = await LoginAsync(browser))
        {
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        }

        using var missing = await browser.PostAsJsonAsync("/api/vhids", Json.Vhid(vhid: 7, vip: "198.18.7.1"));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType!.MediaType);
        var problem = await Json.ReadAsync(missing);
        Assert.Equal(HttpsSecurity.AntiforgeryProblem, problem["title"]!.GetValue<string>());
        using (var list = await browser.GetAsync("/api/vhids"))
        {
            Assert.Equal("[]", (await Json.ReadAsync(list)).ToJsonString());
        }

        var antiforgery = await browser.GetFromJsonAsync<JsonObject>("/account/antiforgery");
        var header = antiforgery!["headerName"]!.GetValue<string>();
        using (var wrong = new HttpRequestMessage(HttpMethod.Delete, "/api/vhids/eth-test0/7"))
        {
            wrong.Headers.Add(header, "not-the-token");
            using var refused = await browser.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/vhids") { Content = JsonContent.Create(Json.Vhid(vhid: 7, vip: "198.18.7.1")) })
        {
            request.Headers.Add(header, antiforgery["token"]!.GetValue<string>());
            using var created = await browser.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var bearer = host.CreateClient();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await host.GetTokenAsync());
        using var byToken = await bearer.PostAsJsonAsync("/api/vhids", Json.Vhid(vhid: 8, vip: "198.18.7.2"));
        Assert.Equal(HttpStatusCode.Created, byToken.StatusCode);
    }

    public void Dispose() => _data.Dispose();

    private Task<TestHost> StartHttpsAsync(IReadOnlyDictionary<string, string?>? configuration = null)
    {
        var settings = new Dictionary<string, string?>(configuration ?? new Dictionary<string, string?>()) { [EnvironmentSettings.UrlsKey] = HttpsUrl };
        return TestHost.StartAsync(new TestHostOptions { DataDirectory = _data.Path, Configuration = settings });
    }

    /// <summary>Trusts exactly the certificate with this fingerprint, the way an operator pins the logged one.</summary>
    private static HttpClient PinnedClient(TestHost host, string fingerprint, CookieContainer? cookies = null) =>
        host.CreateClient(new HttpClientHandler
        {
            AllowAutoRedirect = false,
            CookieContainer = cookies ?? new CookieContainer(),
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && CertificateProvider.Fingerprint(certificate) == fingerprint,
        });

    private static async Task<HttpResponseMessage> LoginAsync(HttpClient client)
    {
        var antiforgery = await client.GetFromJsonAsync<JsonObject>("/account/antiforgery");
        return await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [antiforgery!["formFieldName"]!.GetValue<string>()] = antiforgery["token"]!.GetValue<string>(),
            ["username"] = "admin",
            ["password"] = TestHost.AdminPassword,
            ["returnUrl"] = "/",
        }));
    }

    private static X509Certificate2 SelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static void Fakes(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder)
    {
        builder.Configuration[ApplianceOptions.AdminPasswordVariable] = TestHost.AdminPassword;
        builder.Services.AddSingleton<IDataPlane>(new FakeDataPlane());
        builder.Services.AddSingleton(new AdminPasswordOutput(TextWriter.Null));
    }
}
