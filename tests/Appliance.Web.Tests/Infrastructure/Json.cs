using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Appliance.Web.Tests.Infrastructure;

internal static class Json
{
    public static async Task<JsonNode> ReadAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("empty body");

    public static object Vhid(string iface = "eth-test0", int vhid = 7, string vip = "198.18.7.1", string password = "carp-secret", int advskew = 0, int advbase = 1) =>
        new { @interface = iface, vhid, advbase, advskew, password, vip, prefixLength = 24, preempt = true, enabled = true };

    public static async Task<JsonNode> CreateVhidAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/api/vhids", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /api/vhids failed: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }
}
