using System.Globalization;

namespace Appliance.Demo;

/// <summary>One scripted step of <c>demo --check</c>: the event, who served before and after, the client-visible downtime and its bound.</summary>
/// <param name="Measure">What <paramref name="Downtime"/> measures: "downtime", or "ready" for the first step (time until the VIP serves).</param>
internal sealed record StepResult(string Name, string From, string To, TimeSpan Downtime, TimeSpan Bound, bool Passed, string Detail, string Measure = "downtime")
{
    public string Format(int number, int count)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"step {number}/{count} {Name,-16} {From,5} -> {To,-5}  {Measure,-8} {Downtime.TotalMilliseconds,5:0} ms (bound {Bound.TotalMilliseconds,5:0} ms)  {(Passed ? "PASS" : "FAIL")}");
        return Detail.Length > 0 ? line + "  " + Detail : line;
    }
}
