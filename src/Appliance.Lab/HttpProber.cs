using System.Diagnostics;

namespace Appliance.Lab;

/// <summary>One probe request: when it was sent, how it ended, and what it said (the body names the node).</summary>
public sealed record ProbeResult(long SentAt, bool Succeeded, int StatusCode, string? Body, TimeSpan Elapsed, string? Error);

/// <summary>The client-visible outage in a window: the longest time between two successful requests.</summary>
public sealed record ProbeGap(TimeSpan Gap, int Requests, int Failed, string? ServedBefore, string? ServedAfter);

/// <summary>
/// A client that sends one HTTP GET every <c>interval</c> (default 10 ms) to a URL from inside a lab
/// namespace, without waiting for earlier requests, so a hung request never delays the next one.
/// The client-visible gap of an event is measured from the send time of the last request that
/// succeeded before it to the send time of the first that succeeded after it. Bounded: it stops after
/// <c>maxDuration</c> or when disposed.
/// </summary>
public sealed class HttpProber : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly NetnsSocketFactory _sockets;
    private readonly Uri _url;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _maxDuration;
    private readonly List<ProbeResult> _results = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _inFlight = [];
    private Task? _loop;

    public HttpProber(string namespaceName, Uri url, TimeSpan? interval = null, TimeSpan? requestTimeout = null, TimeSpan? maxDuration = null)
    {
        _sockets = new NetnsSocketFactory(namespaceName);
        _client = _sockets.CreateHttpClient(requestTimeout ?? TimeSpan.FromSeconds(1));
        _url = url;
        _interval = interval ?? TimeSpan.FromMilliseconds(10);
        _maxDuration = maxDuration ?? TimeSpan.FromMinutes(30);
    }

    public TimeSpan Interval => _interval;

    /// <summary>Called for every finished request (on a pool thread).</summary>
    public event Action<ProbeResult>? Completed;

    public void Start() => _loop ??= Task.Run(LoopAsync);

    public IReadOnlyList<ProbeResult> Results
    {
        get
        {
            lock (_lock)
            {
                return _results.OrderBy(r => r.SentAt).ToList();
            }
        }
    }

    /// <summary>Waits (bounded) until a request sent after <paramref name="since"/> succeeds with a body matching <paramref name="predicate"/>.</summary>
    public async Task<ProbeResult?> WaitForAsync(Func<string, bool> predicate, long since, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            lock (_lock)
            {
                var hit = _results.Where(r => r.Succeeded && r.SentAt >= since && r.Body is not null && predicate(r.Body)).MinBy(r => r.SentAt);
                if (hit is not null)
                {
                    return hit;
                }
            }
            await Task.Delay(_interval).ConfigureAwait(false);
        }
        return null;
    }

    /// <summary>
    /// The largest gap between consecutive successful requests sent in [from, to] (Stopwatch timestamps),
    /// counting from the last success before <paramref name="from"/> so an outage that began just before
    /// the event is included.
    /// </summary>
    public ProbeGap Gap(long from, long to)
    {
        List<ProbeResult> all;
        lock (_lock)
        {
            all = _results.OrderBy(r => r.SentAt).ToList();
        }
        var before = all.LastOrDefault(r => r.Succeeded && r.SentAt < from);
        var window = all.Where(r => r.SentAt >= from && r.SentAt <= to).ToList();
        var successes = window.Where(r => r.Succeeded).ToList();
        var previous = before?.SentAt ?? from;
        long largest = 0;
        foreach (var s in successes)
        {
            largest = Math.Max(largest, s.SentAt - previous);
            previous = s.SentAt;
        }
        if (successes.Count == 0)
        {
            largest = to - previous;
        }
        var gap = TimeSpan.FromSeconds((double)largest / Stopwatch.Frequency);
        return new ProbeGap(gap, window.Count, window.Count(r => !r.Succeeded), before?.Body, successes.LastOrDefault()?.Body);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        Task[] pending;
        lock (_lock)
        {
            pending = [.. _inFlight];
        }
        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _client.Dispose();
        _sockets.Dispose();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(_interval);
        var end = Stopwatch.GetTimestamp() + (long)(_maxDuration.TotalSeconds * Stopwatch.Frequency);
        try
        {
            do
            {
                var task = SendOneAsync();
                lock (_lock)
                {
                    _inFlight.RemoveAll(t => t.IsCompleted);
                    _inFlight.Add(task);
                }
            }
            while (Stopwatch.GetTimestamp() < end && await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    private async Task SendOneAsync()
    {
        var sent = Stopwatch.GetTimestamp();
        ProbeResult result;
        try
        {
            using var response = await _client.GetAsync(_url, _stop.Token).ConfigureAwait(false);
            var body = (await response.Content.ReadAsStringAsync(_stop.Token).ConfigureAwait(false)).Trim();
            result = new ProbeResult(sent, response.IsSuccessStatusCode, (int)response.StatusCode, body, Stopwatch.GetElapsedTime(sent), null);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            result = new ProbeResult(sent, false, 0, null, Stopwatch.GetElapsedTime(sent), ex.GetBaseException().Message);
        }
        lock (_lock)
        {
            _results.Add(result);
        }
        Completed?.Invoke(result);
    }
}
