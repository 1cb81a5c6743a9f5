namespace Appliance.Demo;

/// <summary>
/// Whether this appliance's VHID API takes health checks: its OpenAPI document lists a
/// <c>checks</c> property on <c>VhidInput</c>. Without it the demo runs without checks (and
/// <c>--check</c> without the Apache steps) instead of failing on an unknown field.
/// </summary>
internal static class HealthSupport
{
    public static async Task<bool> IsAvailableAsync(DemoNode node, CancellationToken cancellationToken)
    {
        var properties = await node.Api.GetSchemaPropertiesAsync("VhidInput", cancellationToken);
        return properties.Contains("checks", StringComparer.Ordinal);
    }
}
