using Appliance.Lab;

namespace Appliance.Demo;

/// <summary>
/// Starts the product (`appliance serve …`, src/Appliance) inside a lab namespace: <c>dotnet appliance.dll</c>,
/// or the apphost itself when given one.
/// </summary>
internal sealed class ApplianceLauncher(string adminPassword, string appliancePath)
{
    /// <summary>Where ./appliance publishes the product, relative to the repository root.</summary>
    private const string DefaultRelativePath = ".build/appliance/appliance.dll";

    public string Path { get; } = System.IO.Path.GetFullPath(appliancePath);

    /// <summary>The published product of the repository this demo was built in; a path that names it when missing.</summary>
    public static string FindDefault()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Appliance.sln")))
            {
                return System.IO.Path.Combine(dir.FullName, DefaultRelativePath);
            }
        }
        return DefaultRelativePath;
    }

    public LabProcess Start(NetworkLab lab, LabNode node, IReadOnlyList<string> args)
    {
        var env = new Dictionary<string, string>
        {
            ["APPLIANCE_ADMIN_PASSWORD"] = adminPassword,
            // The nodes share the machine's host name: name the dashboards after the lab nodes.
            ["Appliance__NodeName"] = node.Name,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        // A built (not published) web app serves its static web assets only in Development.
        if (File.Exists(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, "appliance.staticwebassets.runtime.json")))
        {
            env["ASPNETCORE_ENVIRONMENT"] = "Development";
        }
        return Path.EndsWith(".dll", StringComparison.Ordinal)
            ? lab.Start(node, DotnetHost, [Path, .. args], env)
            : lab.Start(node, Path, args, env);
    }

    /// <summary>The dotnet host running the demo (the launcher's way), else dotnet from PATH.</summary>
    private static string DotnetHost =>
        Environment.ProcessPath is { } host && System.IO.Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
}
