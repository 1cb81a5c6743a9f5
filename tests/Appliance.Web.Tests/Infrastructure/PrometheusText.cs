using System.Globalization;
using System.Text;

namespace Appliance.Web.Tests.Infrastructure;

/// <summary>One sample line: its metric name, labels and value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>One metric family: # HELP and # TYPE and the samples that follow them.</summary>
public sealed record PrometheusFamily(string Name, string Type, string Help, IReadOnlyList<PrometheusSample> Samples);

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4 (what /metrics serves): every line is a
/// # HELP, a # TYPE, another comment, or a sample `name{label="value",...} value [timestamp]` with escaped label
/// values; a sample must follow its family's # TYPE. Anything else throws <see cref="FormatException"/> naming the line.
/// </summary>
public static class PrometheusText
{
    public static IReadOnlyDictionary<string, PrometheusFamily> Parse(string text)
    {
        var families = new Dictionary<string, (string Type, string Help, List<PrometheusSample> Samples)>(StringComparer.Ordinal);
        var helps = new Dictionary<string, string>(StringComparer.Ordinal);
        string? current = null;
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var rest = line["# HELP ".Length..];
                var space = rest.IndexOf(' ', StringComparison.Ordinal);
                helps[space < 0 ? rest : rest[..space]] = space < 0 ? "" : rest[(space + 1)..];
            }
            else if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                if (parts.Length != 4 || parts[3] is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                {
                    throw new FormatException($"line {lineNumber}: bad # TYPE: {line}");
                }
                if (!families.TryAdd(parts[2], (parts[3], helps.GetValueOrDefault(parts[2], ""), [])))
                {
                    throw new FormatException($"line {lineNumber}: # TYPE {parts[2]} given twice");
                }
                current = parts[2];
            }
            else if (line.StartsWith('#'))
            {
                continue;
            }
            else
            {
                var sample = ParseSample(line, lineNumber);
                var family = current is not null && BelongsTo(sample.Name, current, families[current].Type)
                    ? current
                    : throw new FormatException($"line {lineNumber}: sample {sample.Name} outside its family's # TYPE");
                families[family].Samples.Add(sample);
            }
        }
        return families.ToDictionary(f => f.Key, f => new PrometheusFamily(f.Key, f.Value.Type, helps.GetValueOrDefault(f.Key, f.Value.Help), f.Value.Samples),
            StringComparer.Ordinal);
    }

    private static bool BelongsTo(string sample, string family, string type) =>
        sample == family || (type is "histogram" or "summary" && (sample == family + "_bucket" || sample == family + "_sum" || sample == family + "_count"));

    private static PrometheusSample ParseSample(string line, int lineNumber)
    {
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':'))
        {
            i++;
        }
        if (i == 0 || char.IsAsciiDigit(line[0]))
        {
            throw new FormatException($"line {lineNumber}: no metric name: {line}");
        }
        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var label = line[i..eq];
                if (label.Length == 0 || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || line[eq + 1] != '"')
                {
                    throw new FormatException($"line {lineNumber}: bad label near {line[i..]}");
                }
                i = eq + 2;
                var value = new StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] switch
                        {
                            'n' => '\n',
                            '\\' => '\\',
                            '"' => '"',
                            _ => throw new FormatException($"line {lineNumber}: bad escape \\{line[i]}"),
                        });
                    }
                    else
                    {
                        value.Append(line[i]);
                    }
                    i++;
                }
                if (!labels.TryAdd(label, value.ToString()))
                {
                    throw new FormatException($"line {lineNumber}: label {label} twice");
                }
                i++;
                if (line[i] == ',')
                {
                    i++;
                }
            }
            i++;
        }
        var fields = line[i..].Trim().Split(' ');
        if (fields.Length is < 1 or > 2 || !TryParseValue(fields[0], out var number))
        {
            throw new FormatException($"line {lineNumber}: bad value: {line}");
        }
        return new PrometheusSample(name, labels, number);
    }

    private static bool TryParseValue(string text, out double value)
    {
        switch (text)
        {
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }
}
