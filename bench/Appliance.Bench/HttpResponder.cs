using Appliance.Lab;

namespace Appliance.Bench;

/// <summary>
/// Apache 2.4 (Debian's apache2, mpm_event) on one node, listening on every address of the node's
/// namespace on port 80; GET / answers the node's name. Minimal config in the lab work directory.
/// The load run (<see cref="LoadRun"/>) turns keep-alive on and adds files of its own to serve.
/// </summary>
internal static class HttpResponder
{
    public const string Path = "/";

    /// <param name="keepAlive">
    /// Keep-alive on (unlimited requests per connection), all four children started and none reaped for spare
    /// threads: a child that exits would close its share of the load generator's kept-alive connections.
    /// </param>
    public static async Task<LabProcess> StartAsync(NetworkLab lab, LabNode node, bool keepAlive = false, IReadOnlyDictionary<string, byte[]>? files = null)
    {
        var dir = System.IO.Path.Combine(lab.WorkDirectory, $"apache-{node.Name}");
        var www = System.IO.Path.Combine(dir, "www");
        Directory.CreateDirectory(www);
        File.WriteAllText(System.IO.Path.Combine(www, "index.html"), node.Name + "\n");
        foreach (var (name, content) in files ?? new Dictionary<string, byte[]>())
        {
            File.WriteAllBytes(System.IO.Path.Combine(www, name), content);
        }
        var conf = System.IO.Path.Combine(dir, "apache2.conf");
        const string Modules = "/usr/lib/apache2/modules";
        File.WriteAllText(conf, $"""
            ServerRoot "{dir}"
            ServerName {node.Name}
            DefaultRuntimeDir "{dir}"
            PidFile "{dir}/apache2.pid"
            Mutex file:{dir} default
            ErrorLog "{dir}/error.log"
            LogLevel error
            LoadModule mpm_event_module {Modules}/mod_mpm_event.so
            LoadModule authz_core_module {Modules}/mod_authz_core.so
            LoadModule dir_module {Modules}/mod_dir.so
            User www-data
            Group www-data
            Listen 80
            {(keepAlive ? "KeepAlive On\nMaxKeepAliveRequests 0\nKeepAliveTimeout 30\nMinSpareThreads 25\nMaxSpareThreads 200" : "KeepAlive Off")}
            StartServers {(keepAlive ? 4 : 2)}
            ServerLimit 4
            ThreadsPerChild 50
            MaxRequestWorkers 200
            DocumentRoot "{www}"
            DirectoryIndex index.html
            <Directory "{www}">
                Require all granted
            </Directory>

            """);
        var process = lab.Start(node, "/usr/sbin/apache2", ["-f", conf, "-DFOREGROUND"]);
        // Ready when a local GET answers the node name (bounded).
        for (var i = 0; i < 100; i++)
        {
            var r = await lab.HttpGetAsync(node, $"http://{node.Address}{Path}", TimeSpan.FromSeconds(1));
            if (r.StatusCode == 200 && r.Body.Trim() == node.Name)
            {
                return process;
            }
            if (process.HasExited)
            {
                break;
            }
            await Task.Delay(50);
        }
        throw new InvalidOperationException($"apache2 on {node.Name} did not come up: {process.Output} {ReadOrEmpty(System.IO.Path.Combine(dir, "error.log"))}");
    }

    private static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path) : string.Empty;
}
