using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Appliance.Lab;

namespace Appliance.Bench;

/// <summary>What the REST-API load run measured.</summary>
internal sealed record WebLoadResult(List<Jitter> Jitters, List<Trial> Maintenance, long Requests, long Failed, double Seconds, int Workers, long ServeIdleRssKb);

/// <summary>
/// node1 runs <c>appliance serve</c> (the web appliance) with one sub-second VHID (advbase 0, skew 20,
/// preempt), node2 <c>appliance carp</c> as backup (skew 26). A second process in the client namespace
/// hammers <c>GET /api/status</c> with a bearer token (bounded in time and count) while node1's adverts
/// are captured in node2's namespace. Then maintenance via the API is measured as a graceful handover.
/// </summary>
internal static class WebLoad
{
    internal const string AdminPassword = "bench-admin-pw";
    private const int Workers = 16;
    private const long MaxRequests = 2_000_000;

    public static async Task<WebLoadResult> RunAsync(string applianceExe, TimeSpan idle, TimeSpan load, int reps)
    {
        var backup = new ApplianceCarpDaemon(applianceExe, 0, 20, 26, "advbase 0, skew 20/26");
        var label = "appliance serve (advbase 0, skew 20/26)";
        await using var lab = new NetworkLab();
        var node1 = lab.AddNode("node1");
        var node2 = lab.AddNode("node2");
        var client = lab.AddClient();
        var loader = lab.AddClient();
        var vip = lab.AllocateAddress();
        foreach (var c in new[] { client, loader })
        {
            lab.Run(c, "sysctl", "-q", "-w", "net.ipv4.tcp_tw_reuse=1", "net.ipv4.ip_local_port_range=1024 65000");
        }
        await HttpResponder.StartAsync(lab, node1);
        await HttpResponder.StartAsync(lab, node2);
        var capture = await Capture.StartAsync(lab, node2);
        var d2 = backup.Start(new DaemonContext(lab, node2, Role.Backup, vip, FailoverPair.Vhid, "web"));
        await d2.WaitForLineAsync(backup.BackupLine, TimeSpan.FromSeconds(20));

        var data = Path.Combine(lab.WorkDirectory, "serve-data");
        var api = new Uri($"http://{node1.Address}:8080");
        // Plain HTTP on purpose (--allow-http): the bench measures CARP timing under API load, and TLS handshakes and
        // record encryption in the loader would change what that load costs compared with earlier runs.
        var serve = lab.Start(node1, applianceExe, ["serve", "--urls", api.ToString().TrimEnd('/'), "--allow-http", "--data", data],
            new Dictionary<string, string> { ["APPLIANCE_ADMIN_PASSWORD"] = AdminPassword });
        using var sockets = new NetnsSocketFactory(loader.Namespace);
        using var http = CreateKeepAliveClient(sockets);
        http.BaseAddress = api;
        await WaitHealthzAsync(http, serve);
        var token = await GetTokenAsync(http);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var created = await http.PostAsJsonAsync("/api/vhids", new
        {
            @interface = node1.Interface, vhid = FailoverPair.Vhid, advbase = 0, advskew = 20, password = "benchpw",
            vip = vip.ToString(), prefixLength = 24, preempt = true,
        });
        var body = await created.Content.ReadAsStringAsync();
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/vhids: {(int)created.StatusCode} {body}");
        }
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt32();

        await using var prober = new HttpProber(client.Namespace, new Uri($"http://{vip}/"), TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(300), TimeSpan.FromMinutes(10));
        prober.Start();
        if (await prober.WaitForAsync(b => b == node1.Name, Stopwatch.GetTimestamp(), TimeSpan.FromSeconds(20)) is null)
        {
            throw new InvalidOperationException($"node1 (appliance serve) never served the VIP.\n{serve.Output}\n{d2.Output}");
        }
        await Task.Delay(TimeSpan.FromSeconds(1));
        var src = node1.Address.ToString();
        var peer = node2.Address.ToString();
        int Node2Adverts(double from, double to) =>
            capture.Packets().Count(p => p.Kind == PacketKind.Advert && p.Source == peer && p.Time >= from && p.Time <= to);
        int Node2Masters(int from) => d2.Lines.Skip(from).Count(l => l.Contains(backup.MasterLine, StringComparison.Ordinal));
        double[] Adverts(double from, double to) =>
            [.. capture.Packets().Where(p => p.Kind == PacketKind.Advert && p.Source == src && p.Time >= from && p.Time <= to).Select(p => p.Time)];

        // Idle baseline of the web appliance.
        var mark = d2.LineCount;
        var i0 = Capture.Now();
        await Task.Delay(idle);
        var i1 = Capture.Now();
        // serve with one VHID, the dashboard and API up, no request for the whole idle window.
        var serveIdleRss = ProcStats.TotalRssKb(ProcStats.WithChildren(serve.Pid));
        Console.WriteLine($"  serve idle: RSS {serveIdleRss / 1024.0:0.0} MiB");
        var jitters = new List<Jitter>
        {
            Jitter.Of(label, "idle (web, no requests)", backup.AdvertInterval.TotalMilliseconds, Adverts(i0, i1), Node2Adverts(i0, i1) > 0 ? Node2Masters(mark) : 0),
        };

        // Under load.
        mark = d2.LineCount;
        var l0 = Capture.Now();
        var (requests, failed, seconds) = await HammerAsync(http, load);
        var l1 = Capture.Now();
        var spurious = Math.Max(Node2Masters(mark), Node2Adverts(l0, l1) > 0 ? 1 : 0);
        jitters.Add(Jitter.Of(label, $"GET /api/status x {Workers} workers ({requests / seconds:0} req/s)", backup.AdvertInterval.TotalMilliseconds, Adverts(l0, l1), spurious,
            $"{requests} requests, {failed} failed, node2 adverts during load: {Node2Adverts(l0, l1)}"));
        Console.WriteLine($"  load: {requests} requests in {seconds:0.0} s, {failed} failed");

        // Maintenance via the API: a graceful handover, then leave maintenance (preempt takes it back).
        var trials = new List<Trial>();
        for (var rep = 1; rep <= reps; rep++)
        {
            var t0 = Stopwatch.GetTimestamp();
            var enter = await http.PostAsync($"/api/vhids/{id}/maintenance", null);
            var served = await prober.WaitForAsync(b => b == node2.Name, t0, TimeSpan.FromSeconds(10));
            await Task.Delay(300);
            var gap = prober.Gap(t0, Stopwatch.GetTimestamp());
            trials.Add(new Trial(label, FailoverEvent.Maintenance, rep, served is null ? double.NaN : gap.Gap.TotalMilliseconds,
                served is null ? double.NaN : Stopwatch.GetElapsedTime(t0, served.SentAt).TotalMilliseconds, gap.Failed, null, null, 0,
                enter.IsSuccessStatusCode ? null : $"POST maintenance: {(int)enter.StatusCode}"));
            Console.WriteLine($"  maintenance rep {rep}: gap {trials[^1].GapMs:0} ms, takeover {trials[^1].TakeoverMs:0} ms");
            await http.DeleteAsync($"/api/vhids/{id}/maintenance");
            var back = Stopwatch.GetTimestamp();
            await prober.WaitForAsync(b => b == node1.Name, back, TimeSpan.FromSeconds(10));
            await Task.Delay(500);
        }
        capture.Stop();
        return new WebLoadResult(jitters, trials, requests, failed, seconds, Workers, serveIdleRss);
    }

    private static async Task<(long Requests, long Failed, double Seconds)> HammerAsync(HttpClient http, TimeSpan duration)
    {
        long requests = 0;
        long failed = 0;
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(duration);
        var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && Interlocked.Increment(ref requests) <= MaxRequests)
            {
                try
                {
                    using var r = await http.GetAsync("/api/status", stop.Token);
                    _ = await r.Content.ReadAsByteArrayAsync(stop.Token);
                    if (!r.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    Interlocked.Decrement(ref requests);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers).WaitAsync(duration + TimeSpan.FromSeconds(10));
        return (Math.Min(requests, MaxRequests), failed, clock.Elapsed.TotalSeconds);
    }

    private static HttpClient CreateKeepAliveClient(NetnsSocketFactory sockets)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = Workers,
            ConnectCallback = async (context, ct) =>
            {
                var socket = await sockets.CreateAsync(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.NoDelay = true;
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    internal static async Task WaitHealthzAsync(HttpClient http, LabProcess serve)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var r = await http.GetAsync("/healthz");
                if (r.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (serve.HasExited)
            {
                break;
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"appliance serve did not answer /healthz:\n{serve.Output}");
    }

    internal static async Task<string> GetTokenAsync(HttpClient http)
    {
        using var r = await http.PostAsJsonAsync("/api/auth/token", new { username = "admin", password = AdminPassword });
        var body = await r.Content.ReadAsStringAsync();
        if (!r.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/auth/token: {(int)r.StatusCode} {body}");
        }
        return JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
    }
}
