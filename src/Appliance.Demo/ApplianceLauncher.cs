using Appliance.Lab;

namespace Appliance.Demo;

/// <summary>
/// Starts this very binary (`appliance serve …`) inside a lab namespace: <c>dotnet appliance.dll</c>
/// when we run under the dotnet host (the launcher's way), or the apphost itself.
/// </summary>
internal sealed class ApplianceLauncher(string adminPassword)
{
    public const string DllName = "appliance.dll";

    public string DllPath { get; } = Path.Combine(AppContext.BaseDirectory, DllName);

    public LabProcess Start(NetworkLab lab, LabNode node, IReadOnlyList<string> args)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var underDotnet = Path.GetFileNameWithoutExtension(host) == "dotnet";
        var env = new Dictionary<string, string>
        {
            ["APPLIANCE_ADMIN_PASSWORD"] = adminPassword,
            // The nodes share the machine's host name: name the dashboards after the lab nodes.
            ["Appliance__NodeName"] = node.Name,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        // A built (not published) web app serves its static web assets only in Development.
        if (File.Exists(Path.Combine(AppContext.BaseDirectory, "appliance.staticwebassets.runtime.json")))
        {
            env["ASPNETCORE_ENVIRONMENT"] = "Development";
        }
        return underDotnet
            ? lab.Start(node, host, [DllPath, .. args], env)
            : lab.Start(node, host, args, env);
    }
}
