using System.Diagnostics;
using Appliance.Demo;
using Appliance.Lab;

namespace Appliance.Demo.Tests;

/// <summary>
/// What the interactive demo prints about the client's requests, driven with made-up timestamps: the first election
/// is awaited in one line instead of a screen of failures, every failed request is counted into the outage it was sent
/// in (also when it fails after the VIP answers again), and the first answer gets a line of its own.
/// </summary>
public sealed class ClientReportTests
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromMilliseconds(500);
    private readonly ClientReport _report = new(RequestTimeout);
    private readonly List<string> _lines = [];

    /// <summary>Stopwatch ticks of <paramref name="ms"/> milliseconds after a made-up start (not zero: 0 means "never").</summary>
    private static long At(double ms) => (long)((10_000 + ms) / 1000 * Stopwatch.Frequency);

    private static ProbeResult Ok(double sentMs, string body) => new(At(sentMs), true, 200, body, TimeSpan.FromMilliseconds(2), null);

    private static ProbeResult Failed(double sentMs, string error) => new(At(sentMs), false, 0, null, RequestTimeout, error);

    private void Complete(ProbeResult result, double nowMs) => _lines.AddRange(_report.Completed(result, At(nowMs)));

    private void Tick(double nowMs) => _lines.AddRange(_report.Tick(At(nowMs)));

    /// <summary>Requests every 10 ms in [fromMs, toMs), each failing with <paramref name="error"/> <paramref name="afterMs"/> after it was sent.</summary>
    private void FailEvery10Ms(double fromMs, double toMs, string error, double afterMs)
    {
        for (var sent = fromMs; sent < toMs; sent += 10)
        {
            Complete(Failed(sent, error), sent + afterMs);
            if ((int)(sent + afterMs) % 250 == 0)
            {
                Tick(sent + afterMs);
            }
        }
    }

    private void ServeEvery10Ms(double fromMs, double toMs, string body)
    {
        for (var sent = fromMs; sent < toMs; sent += 10)
        {
            Complete(Ok(sent, body), sent + 2);
        }
    }

    private void StartServedByNode1()
    {
        _report.ElectionStarted(At(0), "node1", TimeSpan.FromMilliseconds(3000), "node2", TimeSpan.FromMilliseconds(3390.625));
        ServeEvery10Ms(0, 1000, "node1");
        Tick(1700);
        _lines.Clear();
    }

    [Fact]
    public void FirstElection_FailuresUntilTheVipAnswers_OneWaitingLineThenOneServedLine()
    {
        var waiting = _report.ElectionStarted(At(0), "node1", TimeSpan.FromMilliseconds(3000), "node2", TimeSpan.FromMilliseconds(3390.625));

        var line = Assert.Single(waiting);
        Assert.StartsWith("client: waiting for the first election (~3.0 s)", line, StringComparison.Ordinal);
        Assert.Contains("node2's is 3.4 s", line, StringComparison.Ordinal);
        Assert.True(_report.WaitingForFirstElection);

        // No route to the VIP until node1 is MASTER after 3 s; each failure comes back at once.
        FailEvery10Ms(0, 3080, "No route to host", 1);
        Assert.Empty(_lines);
        ServeEvery10Ms(3080, 3200, "node1");
        // The line waits for the requests still in flight (none here): one request timeout and a margin.
        Assert.Empty(_lines);
        Tick(3080 + 700);

        var served = Assert.Single(_lines);
        Assert.Equal("client: http://VIP/ is served: node1 answered 3080 ms after the VHIDs were configured "
            + "(the first election; 308 requests failed while waiting: no route to host)", served);
        Assert.False(_report.WaitingForFirstElection);
    }

    [Fact]
    public void FirstElection_NoAnswerLongAfterMasterDown_SaysSoAndReportsFailuresFromThenOn()
    {
        _report.ElectionStarted(At(0), "node1", TimeSpan.FromMilliseconds(3000), "node2", TimeSpan.FromMilliseconds(3390.625));

        // Twice the longest master-down plus a request timeout: 7281 ms.
        FailEvery10Ms(0, 7000, "Connection refused", 1);
        Tick(7000);
        Assert.Empty(_lines);
        FailEvery10Ms(7000, 7400, "Connection refused", 1);
        Tick(7500);
        FailEvery10Ms(7500, 7600, "Connection refused", 1);
        Tick(7750);

        // After the deadline (7281 ms) the failures are reported as in any outage.
        Assert.Equal(
            [
                "client: still no answer 7.5 s after the VHIDs were configured: the first election should be long over "
                    + "(740 requests failed so far: connection refused)",
                "client: 10 requests failed (connection refused)",
            ],
            _lines);
        Assert.False(_report.WaitingForFirstElection);
    }

    [Fact]
    public void Outage_InFlightFailuresAfterTheSwitch_CountedIntoThatOutageAndNoLaterLine()
    {
        StartServedByNode1();

        // node1's cable pulled at 1000 ms: every request times out 500 ms after it was sent; node2 answers from 4400 ms.
        FailEvery10Ms(1000, 3900, "A task was canceled.", 500);
        Assert.NotEmpty(_lines);
        Assert.All(_lines, l => Assert.Matches(@"^client: \d+ requests? failed \(timeout\)$", l));
        _lines.Clear();
        // The requests sent in the last 500 ms before node2 answered come back (timed out) among its first answers.
        for (var t = 4400; t < 4900; t += 10)
        {
            Complete(Failed(t - 500, "A task was canceled."), t);
            Complete(Ok(t, "node2"), t + 2);
        }
        ServeEvery10Ms(4900, 5200, "node2");
        Tick(5250);

        var summary = Assert.Single(_lines);
        Assert.Equal("client: http://VIP/ now served by node2, was node1 (no answer for 3410 ms before; 340 requests failed in all: timeout)", summary);
        // Nothing left over that would read as a second outage.
        _lines.Clear();
        Tick(6000);
        Tick(9000);
        Assert.Empty(_lines);
    }

    [Fact]
    public void Outage_FailureSentAfterTheRecovery_StartsANewOutage()
    {
        StartServedByNode1();
        FailEvery10Ms(1000, 1100, "Connection refused", 1);
        ServeEvery10Ms(1100, 1200, "node1");
        Tick(2000);
        Assert.Equal("client: http://VIP/ answering again, served by node1 (no answer for 110 ms; 10 requests failed in all: connection refused)", Assert.Single(_lines));
        _lines.Clear();

        Complete(Failed(2500, "Connection refused"), 2501);
        Tick(2750);

        Assert.Equal("client: 1 request failed (connection refused)", Assert.Single(_lines));
    }

    [Fact]
    public void Switch_WithoutFailures_LineSaysNoRequestFailed()
    {
        StartServedByNode1();

        ServeEvery10Ms(1000, 1500, "node2");
        Tick(2500);

        Assert.Equal("client: http://VIP/ now served by node2, was node1 (no answer for 10 ms before; no request failed)", Assert.Single(_lines));
    }

    [Fact]
    public void StrayFailure_AmongAnswers_SummedUpOnItsOwn()
    {
        StartServedByNode1();
        ServeEvery10Ms(1000, 1500, "node1");

        // Sent at 1200 ms among successes, failed (reset) only after later requests had succeeded.
        Complete(Failed(1200, "Connection reset by peer"), 1600);
        Tick(1750);

        Assert.Equal("client: 1 request failed (connection reset) while node1 kept answering", Assert.Single(_lines));
    }
}
