namespace Appliance.Web.Tests.Infrastructure;

/// <summary>An <see cref="ApiTestBase"/> whose host's Appliance:ScriptsDirectory is a fresh <see cref="ScriptFolder"/>.</summary>
public abstract class ScriptsApiTestBase : ApiTestBase, IDisposable
{
    protected ScriptsApiTestBase()
        : this(new ScriptFolder())
    {
    }

    private ScriptsApiTestBase(ScriptFolder scripts)
        : base(new TestHostOptions { Configuration = new Dictionary<string, string?> { ["Appliance:ScriptsDirectory"] = scripts.Path } })
    {
        Scripts = scripts;
    }

    protected ScriptFolder Scripts { get; }

    public void Dispose()
    {
        Scripts.Dispose();
        GC.SuppressFinalize(this);
    }
}
