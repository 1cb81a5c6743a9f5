namespace Appliance.Web.Hosting;

/// <summary>Bad configuration found at start; each message names its field. `serve` prints them and exits 1.</summary>
public sealed class ApplianceConfigurationException(IReadOnlyList<string> errors)
    : Exception("Invalid configuration: " + string.Join(" ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
