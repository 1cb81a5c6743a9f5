using System.Text.Json;
using System.Xml.Linq;

namespace Appliance.Packaging.Tests;

/// <summary>
/// The published product (what docker/Dockerfile and deploy/install.sh ship) holds the product only: no demo,
/// no namespace lab, neither among its files nor its dependencies nor its project references (followed
/// transitively); and it serves the dashboard's static files from the top-level wwwroot/ and Blazor's script.
/// </summary>
[Collection(PublishCollection.Name)]
public sealed class ProductContentsTests(PublishFixture publish)
{
    private static readonly string[] NotProduct = ["Appliance.Demo", "appliance-demo", "Appliance.Lab"];

    [Fact]
    public void Publish_Output_HasNoDemoOrLabAssembly()
    {
        var files = Directory.GetFiles(publish.Output, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();

        Assert.Contains("Appliance.Web.dll", files);
        Assert.DoesNotContain(files, f => NotProduct.Any(n => f!.StartsWith(n, StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public void Publish_Dependencies_NameNoDemoOrLab()
    {
        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(publish.Output, "appliance.deps.json")));
        var libraries = deps.RootElement.GetProperty("libraries").EnumerateObject().Select(l => l.Name.Split('/')[0]).ToList();

        Assert.Contains("Appliance.Web", libraries);
        Assert.DoesNotContain(libraries, l => NotProduct.Contains(l, StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public void ProductProject_References_TransitivelyExcludeDemoAndLab()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Repository.PathOf(Repo.ProductProject)]);
        while (pending.TryPop(out var project))
        {
            if (!seen.Add(Path.GetFullPath(project)))
            {
                continue;
            }
            foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace('\\', '/');
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, include)));
            }
        }
        var names = seen.Select(Path.GetFileNameWithoutExtension).ToList();

        Assert.Equal(["Appliance", "Appliance.Engine", "Appliance.Web"], names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Publish_StaticAssets_TopLevelWwwrootAndBlazorScriptAtTheirUrls()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(publish.Output, "appliance.staticwebassets.endpoints.json")));
        var routes = manifest.RootElement.GetProperty("Endpoints").EnumerateArray().Select(e => e.GetProperty("Route").GetString()).ToHashSet();

        // The URLs App.razor links (css/app.css, favicon.svg, _framework/blazor.web.js), at the site root.
        Assert.Superset(new HashSet<string?> { "css/app.css", "favicon.svg", "_framework/blazor.web.js" }, routes);
        foreach (var file in Directory.GetFiles(Repository.PathOf("wwwroot"), "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Repository.PathOf("wwwroot"), file);
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(publish.Output, "wwwroot", relative)));
        }
        Assert.True(File.Exists(Path.Combine(publish.Output, "wwwroot", "_framework", "blazor.web.js")));
    }
}
