namespace Appliance.Testing;

/// <summary>The tests' one patience: how long to wait for what normally takes milliseconds, before failing.</summary>
public static class TestTimeouts
{
    /// <summary>Generous for 2 shared cores; a test that needs it is failing anyway.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);
}
