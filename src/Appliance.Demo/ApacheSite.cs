using System.Globalization;

namespace Appliance.Demo;

/// <summary>
/// A self-contained Apache 2 configuration for one lab node: every file it writes (pid, error log,
/// mutex, scoreboard) lives in the node's directory in the lab, so nothing of the machine's own
/// Apache (/etc/apache2, /var/log/apache2, the apache2 service) is read or touched. The page body is
/// exactly the node name, so a client can tell who served it.
/// </summary>
internal static class ApacheSite
{
    public const string Binary = "/usr/sbin/apache2";
    private const string ModuleDirectory = "/usr/lib/apache2/modules";

    /// <summary>Writes conf, docroot and index page under <paramref name="directory"/>; returns the config path.</summary>
    public static string Write(string directory, string nodeName, int port)
    {
        var docroot = Path.Combine(directory, "www");
        var run = Path.Combine(directory, "run");
        Directory.CreateDirectory(docroot);
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(docroot, "index.html"), nodeName + "\n");
        // Our own tiny types file: the system's /etc/mime.types need not exist on a fresh machine.
        File.WriteAllText(Path.Combine(directory, "mime.types"), "text/html\thtml htm\n");
        var config = Path.Combine(directory, "apache2.conf");
        File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture, $"""
            # Written by `appliance demo` for {nodeName}; deleted with the lab.
            ServerRoot "{directory}"
            DefaultRuntimeDir "{run}"
            PidFile "{run}/apache2.pid"
            Mutex file:{run} default
            ErrorLog "{directory}/error.log"
            LogLevel warn
            LoadModule mpm_event_module {ModuleDirectory}/mod_mpm_event.so
            LoadModule authz_core_module {ModuleDirectory}/mod_authz_core.so
            LoadModule dir_module {ModuleDirectory}/mod_dir.so
            LoadModule mime_module {ModuleDirectory}/mod_mime.so
            User www-data
            Group www-data
            ServerName {nodeName}
            Listen {port}
            # A failover demo wants a fresh connection per request: a kept-alive connection would
            # stick to the old owner of the VIP.
            KeepAlive Off
            StartServers 1
            ServerLimit 2
            ThreadsPerChild 25
            MaxRequestWorkers 50
            TypesConfig "{directory}/mime.types"
            DocumentRoot "{docroot}"
            DirectoryIndex index.html
            <Directory />
                Require all denied
            </Directory>
            <Directory "{docroot}">
                Require all granted
            </Directory>

            """).ReplaceLineEndings("\n"));
        return config;
    }
}
