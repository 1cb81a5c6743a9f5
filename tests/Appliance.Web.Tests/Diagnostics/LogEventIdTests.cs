using System.Reflection;
using Appliance.Engine.Diagnostics;
using Appliance.Engine.Hosting;
using Appliance.Web.Hosting;

namespace Appliance.Web.Tests.Diagnostics;

/// <summary>Every [LoggerMessage] of the product keeps to the one table in <see cref="LogEventIds"/>.</summary>
public class LogEventIdTests
{
    private sealed record LogMethod(string Name, string Namespace, int EventId);

    /// <summary>The engine and the web, plus every other Appliance assembly next to the tests (not test assemblies).</summary>
    private static IReadOnlyList<Assembly> ProductAssemblies()
    {
        var assemblies = new HashSet<Assembly> { typeof(CarpEngine).Assembly, typeof(ApplianceWebApplication).Assembly };
        var options = new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive };
        foreach (var path in Directory.EnumerateFiles(AppContext.BaseDirectory, "appliance*.dll", options))
        {
            var name = AssemblyName.GetAssemblyName(path);
            if (!name.Name!.EndsWith(".Tests", StringComparison.Ordinal) && name.Name != "Appliance.Testing")
            {
                assemblies.Add(Assembly.Load(name));
            }
        }
        return [.. assemblies];
    }

    private static List<LogMethod> LogMethods() =>
        ProductAssemblies()
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => new LogMethod($"{x.Method.DeclaringType!.FullName}.{x.Method.Name}", x.Method.DeclaringType!.Namespace ?? "", x.Attribute!.EventId))
            .ToList();

    [Fact]
    public void Blocks_AreDistinctWholeBlocks()
    {
        Assert.All(LogEventIds.Blocks, b => Assert.Equal(0, b.Value % LogEventIds.BlockSize));
        Assert.Equal(LogEventIds.Blocks.Count, LogEventIds.Blocks.Values.Distinct().Count());
    }

    [Fact]
    public void LoggerMessages_FoundInEngineAndWeb()
    {
        var methods = LogMethods();

        // Guards the reflection itself: a scan that finds nothing would pass every test below.
        Assert.Contains(methods, m => m.Namespace.StartsWith("Appliance.Engine.", StringComparison.Ordinal));
        Assert.Contains(methods, m => m.Namespace.StartsWith("Appliance.Web.", StringComparison.Ordinal));
    }

    [Fact]
    public void LoggerMessages_EventIdsAreUnique()
    {
        var duplicates = LogMethods()
            .GroupBy(m => m.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Name))}")
            .ToList();

        Assert.True(duplicates.Count == 0, "EventIds used more than once: " + string.Join("; ", duplicates));
    }

    [Fact]
    public void LoggerMessages_EventIdsInTheirNamespacesBlock()
    {
        var wrong = new List<string>();
        foreach (var m in LogMethods())
        {
            if (!LogEventIds.Blocks.TryGetValue(m.Namespace, out var first))
            {
                wrong.Add($"{m.Name}: namespace {m.Namespace} has no block in LogEventIds.Blocks");
            }
            else if (m.EventId <= first || m.EventId >= first + LogEventIds.BlockSize)
            {
                wrong.Add($"{m.Name}: EventId {m.EventId} is outside {m.Namespace}'s block {first + 1}-{first + LogEventIds.BlockSize - 1}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
