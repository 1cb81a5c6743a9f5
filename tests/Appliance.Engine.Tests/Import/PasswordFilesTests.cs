using Appliance.Engine.Import;

namespace Appliance.Engine.Tests.Import;

/// <summary>The passfile edge: ucarp reads any size, `appliance import` at most 4 KiB, the web nothing.</summary>
public sealed class PasswordFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("passfile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Conf = "UCARP_INTERFACE=eth0\nUCARP_VHID=3\nUCARP_ADDR=198.18.0.3\nUCARP_PASSFILE={0}\n";

    [Fact]
    public void Capped_SmallFile_FirstLine()
    {
        var file = Path.Combine(_dir, "pass");
        File.WriteAllText(file, "secret\nignored\n");

        var result = UcarpConfigImporter.Parse(string.Format(System.Globalization.CultureInfo.InvariantCulture, Conf, file), "ucarp.conf",
            PasswordFiles.Capped(PasswordFiles.ImportMaxBytes));

        Assert.Equal("secret", Assert.Single(result.Vhids).Password);
    }

    [Fact]
    public void Capped_LargerThanCap_ClearErrorNothingImported()
    {
        var file = Path.Combine(_dir, "big");
        File.WriteAllText(file, new string('x', PasswordFiles.ImportMaxBytes + 1));

        var result = UcarpConfigImporter.Parse(string.Format(System.Globalization.CultureInfo.InvariantCulture, Conf, file), "ucarp.conf",
            PasswordFiles.Capped(PasswordFiles.ImportMaxBytes));

        Assert.Empty(result.Vhids);
        var error = Assert.Single(result.Messages, m => m.Severity == ImportSeverity.Error);
        Assert.Equal($"UCARP_PASSFILE: --passfile: {file} is larger than 4096 bytes; a password file holds one line", error.Text);
    }

    [Fact]
    public void Refused_ExistingAndMissingFile_SameMessageNeverRead()
    {
        var existing = Path.Combine(_dir, "pass");
        File.WriteAllText(existing, "secret\n");
        var used = 0;

        var a = UcarpConfigImporter.Parse(string.Format(System.Globalization.CultureInfo.InvariantCulture, Conf, existing), "ucarp.conf", PasswordFiles.Refused(() => used++));
        var b = UcarpConfigImporter.Parse(string.Format(System.Globalization.CultureInfo.InvariantCulture, Conf, "/nonexistent/x"), "ucarp.conf", PasswordFiles.Refused(() => used++));

        Assert.Equal(2, used);
        Assert.Empty(a.Vhids);
        Assert.Equal(a.Messages.Select(m => m.Text), b.Messages.Select(m => m.Text));
        Assert.Contains(a.Messages, m => m.Text.EndsWith(PasswordFiles.WebRefusal, StringComparison.Ordinal));
    }
}
