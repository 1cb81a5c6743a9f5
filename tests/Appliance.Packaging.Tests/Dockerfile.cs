using System.Text.RegularExpressions;

namespace Appliance.Packaging.Tests;

/// <summary>A Dockerfile as instructions: continuation lines joined, comments dropped.</summary>
internal sealed partial record DockerInstruction(string Keyword, string Arguments, int Stage)
{
    public static List<DockerInstruction> Parse(string text)
    {
        var result = new List<DockerInstruction>();
        var stage = -1;
        var pending = "";
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = raw.Trim();
            if (pending.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }
            if (line.StartsWith('#'))
            {
                continue;
            }
            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }
            line = pending + line;
            pending = "";
            var m = Instruction().Match(line);
            var keyword = m.Groups[1].Value.ToUpperInvariant();
            if (keyword == "FROM")
            {
                stage++;
            }
            result.Add(new DockerInstruction(keyword, Spaces().Replace(m.Groups[2].Value.Trim(), " "), stage));
        }
        return result;
    }

    [GeneratedRegex(@"^(\S+)\s*(.*)$")]
    private static partial Regex Instruction();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
