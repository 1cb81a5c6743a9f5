using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Appliance.Lab;

namespace Appliance.Bench;

/// <summary>One group of keep-alive connections: each of its workers owns one connection and GETs <see cref="Paths"/> in turn.</summary>
internal sealed record LoadGroup(string Name, int Connections, IReadOnlyList<string> Paths);

/// <summary>What one path of one group got: answered with 200, anything else (status, timeout, reset).</summary>
internal sealed record PathCount(string Group, string Path, long Requests, long Failed, string? FirstError = null);

/// <summary>
/// One load window: per-path counts, its length, how many TCP connections the generator opened (one per worker
/// when nothing failed) and the generator's own CPU time.
/// </summary>
internal sealed record LoadCounts(IReadOnlyList<PathCount> Paths, double Seconds, int Connections, int ConnectionsOpened, double GeneratorCpuSeconds)
{
    public long Requests => Paths.Sum(p => p.Requests);

    public long Failed => Paths.Sum(p => p.Failed);

    public double PerSecond => Seconds > 0 ? Requests / Seconds : double.NaN;

    public static LoadCounts None { get; } = new([], 0, 0, 0, 0);
}

/// <summary>
/// The bench's own HTTP load generator (wrk in Debian keeps no cookies without a Lua script): groups of
/// concurrent keep-alive connections from a client namespace, one <see cref="HttpClient"/> per group (its
/// pool holds exactly that group's connections), every worker sending its next GET as soon as the previous
/// answer is read. Bounded in time (the window) and in count (<see cref="MaxRequests"/>).
/// </summary>
internal sealed class LoadGenerator : IDisposable
{
    private const long MaxRequests = 20_000_000;

    private readonly NetnsSocketFactory _sockets;
    private readonly List<(LoadGroup Group, HttpClient Client)> _groups = [];
    private int _opened;

    public LoadGenerator(string namespaceName) => _sockets = new NetnsSocketFactory(namespaceName);

    /// <summary>
    /// A client for <paramref name="group"/> against <paramref name="baseAddress"/>: no redirects followed (a
    /// lost dashboard session answers 302 to /login, which counts as failed), cookies kept in
    /// <paramref name="cookies"/> when given. Its connections are counted in <see cref="LoadCounts.ConnectionsOpened"/>.
    /// </summary>
    public void Add(LoadGroup group, Uri baseAddress, CookieContainer? cookies = null, string? bearer = null)
    {
        var client = Create(baseAddress, cookies, group.Connections, counted: true);
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }
        _groups.Add((group, client));
    }

    /// <summary>A client for setting up (token, login, checks) from the same namespace, not counted; shares <paramref name="cookies"/>.</summary>
    public HttpClient Setup(Uri baseAddress, CookieContainer? cookies = null) => Create(baseAddress, cookies, 4, counted: false);

    private HttpClient Create(Uri baseAddress, CookieContainer? cookies, int connections, bool counted)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = cookies is not null,
            CookieContainer = cookies ?? new CookieContainer(),
            MaxConnectionsPerServer = connections,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            ConnectCallback = async (context, ct) =>
            {
                var socket = await _sockets.CreateAsync(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.NoDelay = true;
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    if (counted)
                    {
                        Interlocked.Increment(ref _opened);
                    }
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Every group's workers at once for <paramref name="duration"/>.</summary>
    public async Task<LoadCounts> RunAsync(TimeSpan duration)
    {
        long total = 0;
        var opened0 = Volatile.Read(ref _opened);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var counters = _groups.SelectMany(g => g.Group.Paths.Distinct().Select(p => (g.Group.Name, Path: p))).ToDictionary(k => k, _ => new long[2]);
        var errors = new System.Collections.Concurrent.ConcurrentDictionary<(string, string), string>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(duration);
        var workers = new List<Task>();
        foreach (var (group, client) in _groups)
        {
            for (var w = 0; w < group.Connections; w++)
            {
                var first = w;
                workers.Add(Task.Run(async () =>
                {
                    // Workers start on different paths so that every path is asked for from the first moment.
                    for (var n = first; !stop.IsCancellationRequested && Interlocked.Increment(ref total) <= MaxRequests; n++)
                    {
                        var path = group.Paths[n % group.Paths.Count];
                        var count = counters[(group.Name, path)];
                        try
                        {
                            using var r = await client.GetAsync(path, HttpCompletionOption.ResponseContentRead, stop.Token);
                            Interlocked.Increment(ref count[0]);
                            if (r.StatusCode != HttpStatusCode.OK)
                            {
                                Interlocked.Increment(ref count[1]);
                                errors.TryAdd((group.Name, path), $"{(int)r.StatusCode} {r.Headers.Location}".Trim());
                            }
                        }
                        catch (OperationCanceledException) when (stop.IsCancellationRequested)
                        {
                            // Cut off by the end of the window: neither answered nor failed.
                        }
                        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                        {
                            Interlocked.Increment(ref count[0]);
                            Interlocked.Increment(ref count[1]);
                            errors.TryAdd((group.Name, path), $"{ex.GetType().Name}: {ex.Message}");
                        }
                    }
                }));
            }
        }
        await Task.WhenAll(workers).WaitAsync(duration + TimeSpan.FromSeconds(15));
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        var paths = counters.Select(c => new PathCount(c.Key.Name, c.Key.Path, c.Value[0], c.Value[1], errors.GetValueOrDefault(c.Key))).ToList();
        return new LoadCounts(paths, seconds, _groups.Sum(g => g.Group.Connections), Volatile.Read(ref _opened) - opened0, cpu);
    }

    public void Dispose()
    {
        foreach (var (_, client) in _groups)
        {
            client.Dispose();
        }
        _sockets.Dispose();
    }
}
