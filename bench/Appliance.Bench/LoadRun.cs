using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Appliance.Lab;

namespace Appliance.Bench;

/// <summary>
/// One side of the load run: the master node's daemon with <see cref="Vhids"/> VHIDs, its backup, what the load
/// generator hammered on the master's node, the advert timing idle and under load, and what the load cost.
/// </summary>
internal sealed record LoadSide(
    string Label,
    string Backup,
    string Server,
    int Vhids,
    double NominalMs,
    Jitter Idle,
    Jitter Loaded,
    LoadCounts Load,
    double ServerCpuSeconds,
    double DaemonCpuSeconds,
    double MachineBusy,
    int VhidsAdvertising,
    int BackupMasters,
    int BackupAdvertVhids,
    Summary? RunQueue);

/// <summary>Both sides of the load run; either is null when it failed (the reason is in <see cref="Notes"/>).</summary>
internal sealed record LoadRunResult(LoadSide? Appliance, LoadSide? Keepalived, IReadOnlyList<string> Notes)
{
    /// <summary>appliance's p99 under load / keepalived's.</summary>
    public double P99Ratio => Appliance is { } a && Keepalived is { } k && k.Loaded.P99 > 0 ? a.Loaded.P99 / k.Loaded.P99 : double.NaN;
}

/// <summary>
/// Issue 10's load run. node1 is the master of <see cref="Vhids"/> sub-second VHIDs and node2 their backup; a
/// client namespace opens <see cref="ApiConnections"/> + <see cref="DashboardConnections"/> keep-alive connections
/// to node1 and keeps them busy for the load window while node1's adverts are captured in node2's namespace.
/// First <c>appliance serve</c> (VHIDs created through the API, advbase 0 advskew 20) with <c>appliance carp</c>
/// (50 <c>--config</c> lines, advskew 26) on node2, the load on its own REST API (bearer token) and dashboard
/// pages (logged-in cookie); then, in a fresh lab, keepalived (50 instances, advert_int 0.08, priority 200 / 100)
/// with Apache on node1 serving byte-for-byte copies of those responses to the same generator.
/// </summary>
internal static class LoadRun
{
    public const int Vhids = 50;
    public const int ApiConnections = 100;
    public const int DashboardConnections = 100;

    private const string StatusFile = "status.json";
    private const string BoardFile = "board.html";
    private const string HistoryFile = "history.html";

    public static async Task<LoadRunResult> RunAsync(BenchOptions options)
    {
        var idle = options.Quick ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(20);
        var notes = new List<string>();
        // The keepalived side's Apache serves what the appliance answered; placeholders of similar size if that side failed.
        var bodies = new Dictionary<string, byte[]>
        {
            [StatusFile] = new byte[30_000],
            [BoardFile] = new byte[60_000],
            [HistoryFile] = new byte[20_000],
        };
        LoadSide? appliance = null;
        LoadSide? keepalived = null;
        try
        {
            appliance = await ApplianceAsync(options, idle, bodies);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or JsonException)
        {
            Console.Error.WriteLine($"bench: load run (appliance serve) failed: {ex.Message}");
            notes.Add($"The load run's appliance side failed: {ex.Message.Split('\n')[0]}; Apache served zero-filled placeholders of 30/60/20 kB.");
        }
        try
        {
            keepalived = await KeepalivedAsync(options, idle, bodies);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException)
        {
            Console.Error.WriteLine($"bench: load run (keepalived) failed: {ex.Message}");
            notes.Add($"The load run's keepalived side failed: {ex.Message.Split('\n')[0]}");
        }
        return new LoadRunResult(appliance, keepalived, notes);
    }

    private static async Task<LoadSide> ApplianceAsync(BenchOptions options, TimeSpan idle, Dictionary<string, byte[]> bodies)
    {
        var backup = new ApplianceCarpDaemon(options.Launcher, 0, 20, 26, "advbase 0, skew 20/26");
        await using var lab = new NetworkLab();
        var node1 = lab.AddNode("node1");
        var node2 = lab.AddNode("node2");
        var loader = lab.AddClient();
        lab.Run(loader, "sysctl", "-q", "-w", "net.ipv4.tcp_tw_reuse=1", "net.ipv4.ip_local_port_range=1024 65000");
        var capture = await Capture.StartAsync(lab, node2);
        try
        {
            var api = new Uri($"http://{node1.Address}:8080");
            // Plain HTTP (--allow-http) as in the REST API run (WebLoad): the run is about CARP timing under request load.
            var serve = lab.Start(node1, options.ApplianceExe, ["serve", "--urls", api.ToString().TrimEnd('/'), "--allow-http", "--data", Path.Combine(lab.WorkDirectory, "serve-data")],
                new Dictionary<string, string> { ["APPLIANCE_ADMIN_PASSWORD"] = WebLoad.AdminPassword });
            using var generator = new LoadGenerator(loader.Namespace);
            var cookies = new CookieContainer();
            using var http = generator.Setup(api);
            using var browser = generator.Setup(api, cookies);
            await WebLoad.WaitHealthzAsync(http, serve);
            var token = await WebLoad.GetTokenAsync(http);
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            for (var vhid = 1; vhid <= Vhids; vhid++)
            {
                using var created = await http.PostAsJsonAsync("/api/vhids", new
                {
                    @interface = node1.Interface, vhid, advbase = 0, advskew = 20, password = "benchpw",
                    vip = Scale.Vip(vhid).ToString(), prefixLength = 32, preempt = true,
                });
                if (!created.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"POST /api/vhids (vhid {vhid}): {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
                }
            }
            await WaitAllMasterAsync(http, serve);
            Console.WriteLine($"  load: appliance serve MASTER of {Vhids} VHIDs");
            // The backup joins a healthy master: it starts in BACKUP and must stay there.
            var d2 = backup.StartMany(lab, node2, Vhids, Role.Backup);
            var backups = 0;
            await d2.WaitForLineAsync(l => l.Contains(backup.BackupLine, StringComparison.Ordinal) && ++backups >= Vhids, TimeSpan.FromSeconds(60));
            await Task.Delay(TimeSpan.FromSeconds(2));

            await LogInAsync(browser);
            bodies[StatusFile] = await GetBodyAsync(http, "/api/status", "\"state\"");
            bodies[BoardFile] = await GetBodyAsync(browser, "/", "Status board");
            bodies[HistoryFile] = await GetBodyAsync(browser, "/history", "<h1>History</h1>");
            generator.Add(new LoadGroup("API: GET /api/status, bearer token", ApiConnections, ["/api/status"]), api, bearer: token);
            generator.Add(new LoadGroup("dashboard: GET / and /history, logged-in cookie", DashboardConnections, ["/", "/history"]), api, cookies);

            var label = "appliance serve (advbase 0, skew 20)";
            return await MeasureAsync(label, $"`./appliance carp --config` ({Vhids} VHIDs, skew 26) on node2", $"`appliance serve`: {ApiConnections} connections GET /api/status (bearer token), {DashboardConnections} GET / and /history in turn (logged-in cookie)",
                backup.AdvertInterval.TotalMilliseconds, node1, node2, capture, d2, backup.MasterLine, generator, idle, options.Load,
                () => ProcStats.WithChildren(serve.Pid), () => ProcStats.WithChildren(serve.Pid), serve);
        }
        finally
        {
            capture.Stop();
        }
    }

    private static async Task<LoadSide> KeepalivedAsync(BenchOptions options, TimeSpan idle, Dictionary<string, byte[]> bodies)
    {
        var daemon = new KeepalivedDaemon(0.08, "advert_int 0.08");
        await using var lab = new NetworkLab();
        var node1 = lab.AddNode("node1");
        var node2 = lab.AddNode("node2");
        var loader = lab.AddClient();
        lab.Run(loader, "sysctl", "-q", "-w", "net.ipv4.tcp_tw_reuse=1", "net.ipv4.ip_local_port_range=1024 65000");
        var capture = await Capture.StartAsync(lab, node2);
        try
        {
            var apache = await HttpResponder.StartAsync(lab, node1, keepAlive: true, files: bodies);
            var d1 = daemon.StartMany(lab, node1, Vhids);
            var masters = 0;
            await d1.WaitForLineAsync(l => l.Contains(daemon.MasterLine, StringComparison.Ordinal) && ++masters >= Vhids, TimeSpan.FromSeconds(60));
            Console.WriteLine($"  load: keepalived MASTER of {Vhids} VRRP instances");
            var d2 = daemon.StartMany(lab, node2, Vhids, Role.Backup);
            var backups = 0;
            await d2.WaitForLineAsync(l => l.Contains(daemon.BackupLine, StringComparison.Ordinal) && ++backups >= Vhids, TimeSpan.FromSeconds(60));
            await Task.Delay(TimeSpan.FromSeconds(2));

            var web = new Uri($"http://{node1.Address}");
            using var generator = new LoadGenerator(loader.Namespace);
            using (var check = generator.Setup(web))
            {
                foreach (var file in bodies.Keys)
                {
                    using var r = await check.GetAsync("/" + file);
                    if (r.StatusCode != HttpStatusCode.OK || (await r.Content.ReadAsByteArrayAsync()).Length != bodies[file].Length)
                    {
                        throw new InvalidOperationException($"Apache on node1: GET /{file} answered {(int)r.StatusCode}, not the copy written");
                    }
                }
            }
            generator.Add(new LoadGroup($"API-sized: GET /{StatusFile}", ApiConnections, ["/" + StatusFile]), web);
            generator.Add(new LoadGroup($"dashboard-sized: GET /{BoardFile} and /{HistoryFile}", DashboardConnections, ["/" + BoardFile, "/" + HistoryFile]), web);
            return await MeasureAsync(daemon.Label, $"keepalived ({Vhids} instances, priority 100) on node2",
                $"Apache 2.4 (mpm_event, keep-alive): {ApiConnections} connections GET /{StatusFile}, {DashboardConnections} GET /{BoardFile} and /{HistoryFile} in turn (copies of the appliance's answers)", daemon.AdvertInterval.TotalMilliseconds,
                node1, node2, capture, d2, daemon.MasterLine, generator, idle, options.Load,
                () => ProcStats.WithChildren(apache.Pid), () => daemon.Pids(d1), d1);
        }
        finally
        {
            capture.Stop();
        }
    }

    /// <summary>
    /// The idle window (no requests), then the load window; for each, node1's adverts per VHID from the capture in
    /// node2's namespace. Spurious = node2 entering MASTER (its log) or sending any advert, counted per VHID.
    /// </summary>
    private static async Task<LoadSide> MeasureAsync(string label, string backupText, string server, double nominalMs, LabNode node1, LabNode node2,
        Capture capture, LabProcess backup, string masterLine, LoadGenerator generator, TimeSpan idle, TimeSpan load,
        Func<IReadOnlyList<int>> serverPids, Func<IReadOnlyList<int>> daemonPids, LabProcess master)
    {
        var source = node1.Address.ToString();
        var peer = node2.Address.ToString();
        List<CapturedPacket> Adverts(string from, double t0, double t1) =>
            [.. capture.Packets().Where(p => p.Kind == PacketKind.Advert && p.Source == from && p.Time >= t0 && p.Time <= t1)];
        int Masters(int fromLine) => backup.Lines.Skip(fromLine).Count(l => l.Contains(masterLine, StringComparison.Ordinal));
        Jitter Window(string condition, double t0, double t1, int fromLine, out int vhidsSeen, out int backupMasters, out int backupVhids)
        {
            var adverts = Adverts(source, t0, t1);
            vhidsSeen = adverts.Select(p => p.Vrid).Distinct().Count();
            backupMasters = Masters(fromLine);
            backupVhids = Adverts(peer, t0, t1).Select(p => p.Vrid).Distinct().Count();
            var expected = (t1 - t0) * 1000 / nominalMs * Vhids;
            return Jitter.OfStreams(label, condition, nominalMs, adverts.GroupBy(p => p.Vrid).Select(g => g.Select(p => p.Time)),
                Math.Max(backupMasters, backupVhids),
                $"{adverts.Count} adverts (nominal {expected:0}) from {vhidsSeen}/{Vhids} VHIDs; node2: {backupMasters} MASTER lines, adverts on {backupVhids} VHIDs");
        }

        var mark = backup.LineCount;
        var i0 = Capture.Now();
        await Task.Delay(idle);
        var i1 = Capture.Now();
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var idleJitter = Window("idle (no requests)", i0, i1, mark, out _, out _, out _);
        Console.WriteLine($"  load: {label} idle: p50 {idleJitter.P50:0.00} p99 {idleJitter.P99:0.00} max {idleJitter.Max:0.00} ms, spurious {idleJitter.Spurious}");

        mark = backup.LineCount;
        var serverCpu0 = serverPids().ToDictionary(p => p, ProcStats.CpuSeconds);
        var daemonCpu0 = daemonPids().ToDictionary(p => p, ProcStats.CpuSeconds);
        var machine0 = ProcStats.MachineTicks();
        var l0 = Capture.Now();
        var queue = new List<double>();
        using var sampling = new CancellationTokenSource();
        // The machine's run queue every 500 ms over the window: what else competed for the CPUs (bounded by the window).
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested && queue.Count < 2 * (int)load.TotalSeconds + 60)
            {
                queue.Add(ProcStats.RunQueue());
                await Task.Delay(500, sampling.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        });
        var counts = await generator.RunAsync(load);
        await sampling.CancelAsync();
        await sampler;
        var l1 = Capture.Now();
        var machine1 = ProcStats.MachineTicks();
        // Processes started during the window (Apache's extra children) count from zero.
        var serverCpu = serverPids().Sum(p => ProcStats.CpuSeconds(p) - serverCpu0.GetValueOrDefault(p));
        var daemonCpu = daemonPids().Sum(p => ProcStats.CpuSeconds(p) - daemonCpu0.GetValueOrDefault(p));
        var busy = (machine1.Busy - machine0.Busy) / (double)Math.Max(1, machine1.Total - machine0.Total);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        if (master.HasExited)
        {
            throw new InvalidOperationException($"{label} exited during the load window:\n{master.Output}");
        }
        var loaded = Window($"{counts.Connections} connections ({counts.PerSecond:0} req/s)", l0, l1, mark, out var seen, out var masters, out var backupVhids);
        Console.WriteLine($"  load: {label} under load: {counts.Requests} requests ({counts.PerSecond:0}/s), {counts.Failed} failed, {counts.ConnectionsOpened} connections opened, machine busy {busy:P0}, run queue median {Summary.Of(queue)?.Median:0}; " +
            $"p50 {loaded.P50:0.00} p99 {loaded.P99:0.00} max {loaded.Max:0.00} ms, spurious {loaded.Spurious}");
        return new LoadSide(label, backupText, server, Vhids, nominalMs, idleJitter, loaded, counts, serverCpu, daemonCpu, busy, seen, masters, backupVhids, Summary.Of(queue));
    }

    /// <summary>Polls GET /api/status until every VHID reports MASTER (node1 is alone so far; bounded).</summary>
    private static async Task WaitAllMasterAsync(HttpClient http, LabProcess serve)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && !serve.HasExited)
        {
            last = await http.GetStringAsync("/api/status");
            var states = JsonDocument.Parse(last).RootElement.EnumerateArray().Select(e => e.GetProperty("state").GetString()).ToList();
            if (states.Count(s => s == "MASTER") >= Vhids)
            {
                return;
            }
            await Task.Delay(200);
        }
        throw new InvalidOperationException($"appliance serve: not MASTER of all {Vhids} VHIDs within 60 s: {last[..Math.Min(last.Length, 300)]}\n{serve.Output}");
    }

    /// <summary>
    /// The dashboard's own login: GET /account/antiforgery (sets the antiforgery cookie), then the form post to
    /// /account/login with the token field, which answers 302 and sets the session cookie (kept in the client's
    /// cookie container).
    /// </summary>
    private static async Task LogInAsync(HttpClient browser)
    {
        using var af = JsonDocument.Parse(await browser.GetStringAsync("/account/antiforgery"));
        var field = af.RootElement.GetProperty("formFieldName").GetString()!;
        var value = af.RootElement.GetProperty("token").GetString()!;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = "admin", ["password"] = WebLoad.AdminPassword, ["returnUrl"] = "/", [field] = value,
        });
        using var r = await browser.PostAsync("/account/login", form);
        if (r.StatusCode != HttpStatusCode.Redirect || r.Headers.Location?.OriginalString != "/")
        {
            throw new InvalidOperationException($"POST /account/login: {(int)r.StatusCode} to {r.Headers.Location} (expected 302 to /)");
        }
    }

    private static async Task<byte[]> GetBodyAsync(HttpClient http, string path, string marker)
    {
        using var r = await http.GetAsync(path);
        var body = await r.Content.ReadAsByteArrayAsync();
        if (r.StatusCode != HttpStatusCode.OK || !System.Text.Encoding.UTF8.GetString(body).Contains(marker, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"GET {path}: {(int)r.StatusCode} {r.Headers.Location}, without \"{marker}\"");
        }
        return body;
    }
}
