namespace Appliance.Web.Tests.Infrastructure;

/// <summary>A test class with one started host and a client logged in as admin, per test.</summary>
public abstract class ApiTestBase(TestHostOptions? options = null) : IAsyncLifetime
{
    protected TestHost Server { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await TestHost.StartAsync(options);
        Client = await Server.CreateAuthenticatedClientAsync();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
