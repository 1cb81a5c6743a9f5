namespace Appliance.Demo;

/// <summary>Whether the appliance's VHID API takes health checks (the <c>checks</c> list).</summary>
internal static class HealthSupport
{
    public static bool IsAvailable(DemoLab demo) => false;
}
