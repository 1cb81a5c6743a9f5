using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Appliance.Web.Storage;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Hosting;

/// <summary>`serve` applies the audit and token bounds at start (and every HistoryTrimInterval): a store written before, then a host on it.</summary>
public sealed class RetentionServicesTests
{
    [Fact]
    public async Task Start_OldAuditEntriesAndLongExpiredTokensRemoved_RecentOnesKept()
    {
        using var data = new TempDirectory();
        var now = DateTimeOffset.UtcNow;
        using (var store = new LiteDbApplianceStore(data.Path))
        {
            store.Audit.Append(new StoredAuditEntry { At = now.AddDays(-91), User = "admin", Action = "vhid.update", Target = "ancient" });
            store.Audit.Append(new StoredAuditEntry { At = now.AddDays(-1), User = "admin", Action = "vhid.update", Target = "recent" });
            store.Tokens.Insert(new StoredToken { Name = "long expired", UserName = "admin", Hash = "a", CreatedAt = now.AddDays(-40), ExpiresAt = now.AddDays(-8) });
            store.Tokens.Insert(new StoredToken { Name = "just expired", UserName = "admin", Hash = "b", CreatedAt = now.AddDays(-40), ExpiresAt = now.AddDays(-6) });
        }

        await using var host = await TestHost.StartAsync(new TestHostOptions { DataDirectory = data.Path, UseFakeEngine = true });
        using var client = await host.CreateAuthenticatedClientAsync();

        await Eventually.TrueAsync(async () =>
            !(await client.GetFromJsonAsync<JsonArray>("/api/audit?take=100"))!.Any(e => e!["target"]!.GetValue<string>() == "ancient"), "the 91-day-old audit entry trimmed");
        Assert.Contains((await client.GetFromJsonAsync<JsonArray>("/api/audit?take=100"))!, e => e!["target"]!.GetValue<string>() == "recent");
        await Eventually.TrueAsync(async () =>
            !(await client.GetFromJsonAsync<JsonArray>("/api/tokens"))!.Any(t => t!["name"]!.GetValue<string>() == "long expired"), "the token expired 8 days ago deleted");
        Assert.Contains((await client.GetFromJsonAsync<JsonArray>("/api/tokens"))!, t => t!["name"]!.GetValue<string>() == "just expired");
    }
}
