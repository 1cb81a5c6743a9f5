using System.Reflection;

using Appliance.Lab;

namespace Appliance.IntegrationTests.Lab;

/// <summary>
/// Finds the built product (src/Appliance, assembly <c>appliance</c>) so tests can start it inside a
/// lab namespace as <c>dotnet appliance.dll …</c>, and the demo executable (src/Appliance.Demo,
/// <c>appliance-demo.dll</c>). The integration test project has build-only ProjectReferences on both,
/// so building the tests builds them first.
/// </summary>
public static class ApplianceBinary
{
    private static readonly Lazy<string> LazyDllPath = new(() => FindDll("Appliance", "appliance.dll"));
    private static readonly Lazy<string> LazyDemoDllPath = new(() => FindDll("Appliance.Demo", "appliance-demo.dll"));

    /// <summary>The configuration these tests were built with (Debug or Release).</summary>
    public static string Configuration { get; } =
        typeof(ApplianceBinary).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    /// <summary>Full path of appliance.dll; throws when it was not built.</summary>
    public static string DllPath => LazyDllPath.Value;

    /// <summary>Full path of appliance-demo.dll; throws when it was not built.</summary>
    public static string DemoDllPath => LazyDemoDllPath.Value;

    /// <summary>
    /// Starts <c>dotnet appliance.dll <paramref name="args"/></c> in <paramref name="node"/>'s
    /// namespace. Unless <paramref name="env"/> says otherwise, ASPNETCORE_ENVIRONMENT is
    /// Development: a built (not published) web app only serves its static web assets
    /// (blazor.web.js) in Development (docs/browser-tests.md, pitfall 1).
    /// </summary>
    public static LabProcess Start(
        NetworkLab lab,
        LabNode node,
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? env = null,
        string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return lab.Start(node, DotnetHost, [DllPath, .. args], environment, workingDirectory);
    }

    /// <summary>The dotnet host running these tests, or <c>dotnet</c> from PATH.</summary>
    public static string DotnetHost
    {
        get
        {
            var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
            {
                return fromSdk;
            }

            var current = Environment.ProcessPath;
            return current is not null && Path.GetFileName(current) == "dotnet" ? current : "dotnet";
        }
    }

    private static string FindDll(string project, string name)
    {
        var bin = Repository.PathOf("src", project, "bin");
        var preferred = Path.Combine(bin, Configuration, "net10.0", name);
        if (File.Exists(preferred))
        {
            return preferred;
        }

        // Fall back to another configuration's build, newest first.
        var other = Directory.Exists(bin)
            ? Directory.GetFiles(bin, name, SearchOption.AllDirectories)
                .Where(p => Path.GetFileName(Path.GetDirectoryName(p)) == "net10.0")
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .FirstOrDefault()
            : null;
        return other ?? throw new FileNotFoundException(
            $"{name} not built: expected {preferred}. Build Appliance.sln (scripts/test does).", preferred);
    }
}
