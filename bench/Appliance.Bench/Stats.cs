namespace Appliance.Bench;

/// <summary>min / median / max of a sample (milliseconds).</summary>
internal sealed record Summary(double Min, double Median, double Max, int Count)
{
    public static Summary? Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? null : new Summary(sorted[0], Percentile(sorted, 50), sorted[^1], sorted.Length);
    }

    /// <summary>Linear interpolation between closest ranks; <paramref name="sorted"/> ascending.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        var rank = p / 100 * (sorted.Length - 1);
        var lo = (int)Math.Floor(rank);
        var hi = (int)Math.Ceiling(rank);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (rank - lo));
    }
}
