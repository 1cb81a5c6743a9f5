using System.Diagnostics;
using System.Globalization;
using Appliance.Lab;

namespace Appliance.Demo;

/// <summary>
/// What the interactive demo says about the client's requests, as lines, without timers or threads of its own
/// (<see cref="ClientMonitor"/> feeds it and prints; tests feed it timestamps). The rules (docs/demo.md,
/// "The client's view"):
/// <list type="bullet">
/// <item>Until the VIP answers for the first time nothing is MASTER yet: one line says the first election is awaited
/// (<see cref="ElectionStarted"/>) and the failures are only counted, unless the wait lasts twice the longest
/// master-down plus a request timeout, when the failures are reported as usual.</item>
/// <item>An outage runs from the last success before it to the first success after it (by send time). A request sent
/// inside it may fail only a request timeout later, after the VIP answers again: it is still counted into that
/// outage, whose line is therefore printed one request timeout (plus a margin) after the answer that ended it.</item>
/// <item>While an outage lasts, its failures are summed up at most every <see cref="ClientMonitor"/> tick.</item>
/// </list>
/// Timestamps are <see cref="Stopwatch"/> ticks, as <see cref="ProbeResult.SentAt"/>.
/// </summary>
internal sealed class ClientReport
{
    /// <summary>Scheduling slack on top of the request timeout before an ended outage is summed up.</summary>
    private static readonly TimeSpan CloseMargin = TimeSpan.FromMilliseconds(150);

    private readonly Lock _gate = new();
    private readonly TimeSpan _requestTimeout;
    private readonly List<Outage> _closing = [];
    private Outage? _open;
    private Outage? _waiting = new(0) { Waiting = true };
    private readonly Dictionary<string, int> _stray = [];
    private long _waitDeadline = long.MaxValue;
    private long _electionStartedAt;
    private string? _servedBy;
    private long _lastSuccessAt;

    public ClientReport(TimeSpan requestTimeout)
    {
        _requestTimeout = requestTimeout;
    }

    /// <summary>True until the VIP has answered once.</summary>
    public bool WaitingForFirstElection
    {
        get
        {
            lock (_gate)
            {
                return _waiting is not null;
            }
        }
    }

    /// <summary>
    /// The VHIDs are configured at <paramref name="now"/>: both nodes start as BACKUP and the preferred one becomes
    /// MASTER after its master-down interval (<paramref name="preferredMasterDown"/>); the other one would after its own.
    /// </summary>
    public IReadOnlyList<string> ElectionStarted(long now, string preferred, TimeSpan preferredMasterDown, string other, TimeSpan otherMasterDown)
    {
        lock (_gate)
        {
            _electionStartedAt = now;
            var longest = preferredMasterDown > otherMasterDown ? preferredMasterDown : otherMasterDown;
            _waitDeadline = now + Ticks(longest + longest + _requestTimeout);
            if (_waiting is null)
            {
                return [];
            }
            return [$"client: waiting for the first election (~{Seconds(preferredMasterDown)} s): both nodes start as BACKUP and {preferred} "
                + $"becomes MASTER once it has heard no adverts for its master-down interval ({other}'s is {Seconds(otherMasterDown)} s); "
                + "until then nobody serves the VIP and requests fail"];
        }
    }

    /// <summary>One finished request (in completion order, which is not send order).</summary>
    public IReadOnlyList<string> Completed(ProbeResult result, long now)
    {
        lock (_gate)
        {
            if (result.Succeeded && result.Body is { } body)
            {
                OnSuccess(result.SentAt, body, now);
            }
            else
            {
                OnFailure(result.SentAt, ClientMonitor.Reason(result));
            }
            return Due(now);
        }
    }

    /// <summary>Called every tick: ended outages whose in-flight requests are all back, and the open outage's new failures.</summary>
    public IReadOnlyList<string> Tick(long now)
    {
        lock (_gate)
        {
            return TickLocked(now);
        }
    }

    /// <summary>Everything still pending, at the end (the demo is stopping).</summary>
    public IReadOnlyList<string> Flush(long now)
    {
        lock (_gate)
        {
            var lines = _closing.Select(Summary).ToList();
            _closing.Clear();
            lines.AddRange(TickLocked(now));
            return lines;
        }
    }

    private List<string> TickLocked(long now)
    {
        var lines = Due(now);
        if (_waiting is { } waiting && now >= _waitDeadline)
        {
            // Longer than any election takes: say so, and from now on report the failures as an outage.
            lines.Add($"client: still no answer {Seconds(Span(now - _electionStartedAt))} s after the VHIDs were configured: the first election should be long over "
                + $"({waiting.Failed} requests failed so far{ReasonsSuffix(waiting, ": ")})");
            _waiting = null;
            waiting.Waiting = false;
            waiting.Start = _electionStartedAt;
            waiting.Reported = waiting.Failed;
            waiting.NewReasons();
            _open = waiting;
        }
        if (_open is { } open && open.Failed > open.Reported)
        {
            var n = open.Failed - open.Reported;
            lines.Add($"client: {n} request{(n == 1 ? "" : "s")} failed ({string.Join(", ", open.NewReasons())})");
            open.Reported = open.Failed;
        }
        if (_stray.Count > 0)
        {
            var n = _stray.Values.Sum();
            var reasons = _stray.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal).Select(r => _stray.Count == 1 ? r.Key : $"{r.Value} {r.Key}");
            lines.Add($"client: {n} request{(n == 1 ? "" : "s")} failed ({string.Join(", ", reasons)}) while {_servedBy} kept answering");
            _stray.Clear();
        }
        return lines;
    }

    private void OnSuccess(long sentAt, string body, long now)
    {
        if (sentAt <= _lastSuccessAt)
        {
            // Sent before a success we already have: it changes nothing about outages or who serves.
            return;
        }
        var outage = _waiting ?? _open;
        var switched = body != _servedBy;
        if (outage is not null || switched)
        {
            outage ??= new Outage(_lastSuccessAt);
            outage.End = sentAt;
            outage.From = _servedBy;
            outage.To = body;
            outage.DueAt = now + Ticks(_requestTimeout + CloseMargin);
            _closing.Add(outage);
            _waiting = null;
            _open = null;
        }
        _servedBy = body;
        _lastSuccessAt = sentAt;
    }

    private void OnFailure(long sentAt, string reason)
    {
        // Sent inside an outage that has ended meanwhile: it belongs there (it was in flight when the VIP answered again).
        var target = _closing.FirstOrDefault(o => sentAt >= o.Start && sentAt < o.End);
        if (target is null && _waiting is not null)
        {
            target = _waiting;
        }
        if (target is null && sentAt > _lastSuccessAt)
        {
            target = _open ??= new Outage(_lastSuccessAt);
        }
        if (target is null)
        {
            // Sent before the newest success and in no outage: a failure among answers, summed up on its own.
            _stray[reason] = _stray.GetValueOrDefault(reason) + 1;
            return;
        }
        target.Add(reason);
    }

    private List<string> Due(long now)
    {
        var lines = new List<string>();
        foreach (var outage in _closing.Where(o => o.DueAt <= now).ToList())
        {
            _closing.Remove(outage);
            lines.Add(Summary(outage));
        }
        return lines;
    }

    private string Summary(Outage o)
    {
        var requests = $"{o.Failed} request{(o.Failed == 1 ? "" : "s")} failed";
        if (o.Waiting)
        {
            return $"client: http://VIP/ is served: {o.To} answered {Milliseconds(Span(o.End - _electionStartedAt))} ms after the VHIDs were configured "
                + $"(the first election; {(o.Failed == 0 ? "no request failed" : requests)} while waiting{ReasonsSuffix(o, ": ")})";
        }
        var failed = o.Failed == 0 ? "no request failed" : $"{requests} in all{ReasonsSuffix(o, ": ")}";
        var gap = $"no answer for {Milliseconds(Span(o.End - o.Start))} ms";
        return o.From == o.To
            ? $"client: http://VIP/ answering again, served by {o.To} ({gap}; {failed})"
            : $"client: http://VIP/ now served by {o.To}{(o.From is null ? "" : $", was {o.From}")} ({gap} before; {failed})";
    }

    private static string ReasonsSuffix(Outage o, string separator) =>
        o.Failed == 0 ? "" : separator + string.Join(", ", o.AllReasons());

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static TimeSpan Span(long ticks) => TimeSpan.FromSeconds((double)ticks / Stopwatch.Frequency);

    /// <summary>"3.4" (one decimal, invariant).</summary>
    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>"3410" (whole milliseconds, invariant).</summary>
    private static string Milliseconds(TimeSpan span) => span.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);

    /// <summary>Failures between two successes (by send time); <see cref="End"/> is set once the VIP answered again.</summary>
    private sealed class Outage(long start)
    {
        private readonly Dictionary<string, int> _reasons = [];
        private readonly Dictionary<string, int> _newReasons = [];

        public long Start { get; set; } = start;

        public bool Waiting { get; set; }

        public long End { get; set; } = long.MaxValue;

        public long DueAt { get; set; }

        public string? From { get; set; }

        public string? To { get; set; }

        public int Failed { get; private set; }

        /// <summary>How many of <see cref="Failed"/> a progress line has already shown.</summary>
        public int Reported { get; set; }

        public void Add(string reason)
        {
            Failed++;
            _reasons[reason] = _reasons.GetValueOrDefault(reason) + 1;
            _newReasons[reason] = _newReasons.GetValueOrDefault(reason) + 1;
        }

        public IEnumerable<string> AllReasons() => Format(_reasons);

        /// <summary>The reasons since the last progress line (then forgotten).</summary>
        public List<string> NewReasons()
        {
            var text = Format(_newReasons).ToList();
            _newReasons.Clear();
            return text;
        }

        private static IEnumerable<string> Format(Dictionary<string, int> reasons) =>
            reasons.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal)
                .Select(r => reasons.Count == 1 ? r.Key : $"{r.Value} {r.Key}");
    }
}
