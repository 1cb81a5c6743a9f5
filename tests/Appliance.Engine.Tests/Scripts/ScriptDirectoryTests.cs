using Appliance.Engine.Scripts;

namespace Appliance.Engine.Tests.Scripts;

/// <summary>What a script name means for anything configured over HTTP (tests run as root: chown works).</summary>
public sealed class ScriptDirectoryTests : IDisposable
{
    private readonly ScriptFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("check-disk", true)]
    [InlineData("vip_up.v2.sh", true)]
    [InlineData("", false)]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData("-rf", false)]
    [InlineData("../etc/passwd", false)]
    [InlineData("/bin/sh", false)]
    [InlineData("sh -c id", false)]
    [InlineData("a;b", false)]
    [InlineData("ümlaut", false)]
    public void IsValidName_PlainFileNamesOnly(string name, bool valid) => Assert.Equal(valid, ScriptDirectory.IsValidName(name));

    [Fact]
    public void List_EachRule_UsableOrReasonSortedByName()
    {
        _folder.Install("ok", "exit 0");
        _folder.Install("group-writable", "exit 0", ScriptFolder.Executable | UnixFileMode.GroupWrite);
        _folder.Install("other-writable", "exit 0", ScriptFolder.Executable | UnixFileMode.OtherWrite);
        _folder.Install("foreign", "exit 0", owner: 65534);
        _folder.Install("plain", "exit 0", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Directory.CreateDirectory(Path.Combine(_folder.Path, "subdir"));
        File.CreateSymbolicLink(Path.Combine(_folder.Path, "link"), "/bin/true");

        var list = new ScriptDirectory(_folder.Path).List();

        Assert.Equal(
            [
                new ScriptStatus("foreign", false, "owned by uid 65534"),
                new ScriptStatus("group-writable", false, "writable by group or others"),
                new ScriptStatus("link", false, "not a regular file"),
                new ScriptStatus("ok", true, null),
                new ScriptStatus("other-writable", false, "writable by group or others"),
                new ScriptStatus("plain", false, "not executable"),
                new ScriptStatus("subdir", false, "not a regular file"),
            ],
            list);
    }

    [Fact]
    public void Check_NamesAndDirectory()
    {
        _folder.Install("ok", "exit 0");
        var directory = new ScriptDirectory(_folder.Path);

        Assert.Null(directory.Check("ok"));
        Assert.Equal(ScriptDirectory.NoSuchScript, directory.Check("missing"));
        Assert.StartsWith("not a script name", directory.Check("../ok"), StringComparison.Ordinal);
        Assert.StartsWith("not a script name", directory.Check("/bin/true"), StringComparison.Ordinal);

        ScriptFolder.SetMode(_folder.Path, ScriptFolder.Executable | UnixFileMode.GroupWrite);
        Assert.Equal("directory writable by group or others", directory.Check("ok"));
        Assert.Equal("directory writable by group or others", Assert.Single(directory.List()).Reason);
    }

    [Fact]
    public void List_MissingDirectory_Empty()
    {
        var directory = new ScriptDirectory(Path.Combine(_folder.Path, "absent"));

        Assert.Empty(directory.List());
        Assert.Equal("no scripts directory", directory.Check("ok"));
    }

    [Fact]
    public void CheckPath_AbsolutePathsOnly()
    {
        var ok = _folder.Install("ok", "exit 0");

        Assert.Null(ScriptDirectory.CheckPath(ok));
        Assert.Equal("not a script in the scripts directory", ScriptDirectory.CheckPath("ok"));
    }
}
