using System.Net.Http.Json;
using System.Runtime.Versioning;
using Appliance.Engine.Transport;
using Appliance.Web.Auth;
using Appliance.Web.Hosting;
using Appliance.Web.Storage;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Hosting;

/// <summary>
/// The data directory belongs to one process (DIR/.lock, an OFD lock): a second serve or import is refused with the
/// holder's PID, exit 1, having written nothing; a store that cannot be opened is exit 78 with one line and the file
/// untouched; at every start DIR is 0700 and every file in it 0600.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class DataDirectoryTests
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;

    /// <summary>`serve` up to the point where it would listen, in this process, with its own fake data plane.</summary>
    private static (int Code, string Error, ApplianceWebApplication? App) Serve(string data, FakeDataPlane dataPlane)
    {
        var error = new StringWriter();
        var code = ServeCommand.TryCreate(new ServeArguments("http://127.0.0.1:0", data), error, builder =>
        {
            builder.Configuration[ApplianceOptions.AdminPasswordVariable] = TestHost.AdminPassword;
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddSingleton<IDataPlane>(dataPlane);
            builder.Services.AddSingleton(new AdminPasswordOutput(TextWriter.Null));
        }, out var app);
        return (code, error.ToString(), app);
    }

    private static async Task<(int Code, string Output, string Error)> ImportAsync(string file, string data)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await ImportCommand.RunAsync(file, data, output, error, builder =>
        {
            builder.Configuration[ApplianceOptions.AdminPasswordVariable] = TestHost.AdminPassword;
            builder.Services.AddSingleton<IDataPlane>(new FakeDataPlane());
            builder.Services.AddSingleton(new AdminPasswordOutput(TextWriter.Null));
        }).WaitAsync(TestHost.Timeout);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Every file's bytes and modification time, to show that nothing was written.</summary>
    private static Dictionary<string, (string Bytes, DateTime Modified)> Snapshot(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(directory, f),
            f => (Convert.ToHexString(File.ReadAllBytes(f)), File.GetLastWriteTimeUtc(f)));

    [Fact]
    public async Task Serve_SecondOnSameDirectory_RefusedWithHolderPidExit1NothingWritten()
    {
        await using var first = await TestHost.StartAsync();
        using (var client = await first.CreateAuthenticatedClientAsync())
        {
            using var created = await client.PostAsJsonAsync("/api/vhids", new
            {
                @interface = "eth-test0", vhid = 7, password = "lock-secret", vip = "198.18.7.1", srcip = "198.18.0.1",
            });
            Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        }
        var before = Snapshot(first.DataDirectory);
        var secondPlane = new FakeDataPlane();

        var started = TimeProvider.System.GetTimestamp();
        var (code, error, app) = Serve(first.DataDirectory, secondPlane);

        Assert.Null(app);
        Assert.Equal(1, code);
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
        Assert.Equal(
            $"appliance: data directory {Path.GetFullPath(first.DataDirectory)} is in use by process {Environment.ProcessId}" + Environment.NewLine,
            error);
        Assert.Equal(before, Snapshot(first.DataDirectory));
        Assert.Empty(secondPlane.AddressOps);
        Assert.Empty(secondPlane.Channels);
        // The first one is untouched and still serving its VHID.
        using var again = await first.CreateAuthenticatedClientAsync();
        Assert.Single((await again.GetFromJsonAsync<System.Text.Json.Nodes.JsonArray>("/api/vhids"))!);
    }

    [Fact]
    public async Task Serve_AfterTheHolderStopped_Starts()
    {
        using var data = new TempDirectory();
        var first = await TestHost.StartAsync(new TestHostOptions { DataDirectory = data.Path });
        await first.DisposeAsync();

        var (code, error, app) = Serve(data.Path, new FakeDataPlane());

        Assert.True(code == 0, error);
        await app!.DisposeAsync();
        Assert.Equal(Environment.ProcessId + "\n", await File.ReadAllTextAsync(Path.Combine(data.Path, DataDirectoryLock.FileName)));
    }

    [Fact]
    public async Task Import_WhileServeHoldsTheDirectory_RefusedExit1NothingImported()
    {
        await using var host = await TestHost.StartAsync();
        using var config = new TempDirectory();
        Directory.CreateDirectory(config.Path);
        var file = Path.Combine(config.Path, "ucarp.conf");
        await File.WriteAllTextAsync(file, "UCARP_INTERFACE=eth-test0\nUCARP_VHID=42\nUCARP_PASSWORD=s\nUCARP_VIP=198.18.42.1\nUCARP_SRCIP=198.18.0.1\n");
        var before = Snapshot(host.DataDirectory);

        var (code, output, error) = await ImportAsync(file, host.DataDirectory);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal($"appliance: data directory {Path.GetFullPath(host.DataDirectory)} is in use by process {Environment.ProcessId}" + Environment.NewLine, error);
        Assert.Equal(before, Snapshot(host.DataDirectory));
        Assert.Empty(host.Services.GetRequiredService<IApplianceStore>().Vhids.GetAll());
    }

    public static TheoryData<string> BrokenStores => new()
    {
        "corrupt-header",
        "text",
        "short",
        "other-format",
    };

    [Theory]
    [MemberData(nameof(BrokenStores))]
    public async Task Serve_StoreCannotBeOpened_Exit78OneLineNoTraceFileUntouched(string kind)
    {
        using var data = new TempDirectory();
        var store = Path.Combine(data.Path, LiteDbApplianceStore.FileName);
        if (kind is "corrupt-header" or "other-format")
        {
            await using (var host = await TestHost.StartAsync(new TestHostOptions { DataDirectory = data.Path }))
            {
            }
            var bytes = await File.ReadAllBytesAsync(store);
            Assert.Equal("** This is a LiteDB file **", System.Text.Encoding.ASCII.GetString(bytes, 32, 27));
            Assert.Equal(8, bytes[59]);
            if (kind == "corrupt-header")
            {
                bytes[40] ^= 0xFF;
            }
            else
            {
                bytes[59] = 7; // LiteDB 4
            }
            await File.WriteAllBytesAsync(store, bytes);
        }
        else
        {
            Directory.CreateDirectory(data.Path);
            await File.WriteAllTextAsync(store, kind == "text" ? string.Concat(Enumerable.Repeat("not a database\n", 1000)) : "short");
        }
        var before = await File.ReadAllBytesAsync(store);
        var modified = File.GetLastWriteTimeUtc(store);

        var (code, error, app) = Serve(data.Path, new FakeDataPlane());

        Assert.Null(app);
        Assert.Equal(78, code);
        var line = Assert.Single(error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"appliance: cannot open the store {store}: ", line);
        Assert.Contains(kind switch
        {
            "corrupt-header" or "text" => "not a LiteDB 5 file (corrupt header page)",
            "short" => "shorter than a header page",
            _ => "file format 7, expected 8",
        }, line);
        Assert.EndsWith("; restore it from a backup or move it away to start empty", line);
        Assert.DoesNotContain("   at ", error);
        Assert.Equal(before, await File.ReadAllBytesAsync(store));
        Assert.Equal(modified, File.GetLastWriteTimeUtc(store));
        Assert.False(File.Exists(Path.Combine(data.Path, "appliance-log.db")));

        // The import refuses it the same way; the lock was released by the failed start.
        var config = Path.Combine(data.Path, "ucarp.conf");
        await File.WriteAllTextAsync(config, "UCARP_INTERFACE=eth-test0\n");
        var (importCode, _, importError) = await ImportAsync(config, data.Path);
        Assert.Equal(78, importCode);
        Assert.StartsWith($"appliance: cannot open the store {store}: ", importError);
        Assert.Equal(before, await File.ReadAllBytesAsync(store));
    }

    [Fact]
    public void Serve_LiteDbOfAnotherSchema_Exit78OneLineStoreFileUntouched()
    {
        using var data = new TempDirectory();
        Directory.CreateDirectory(data.Path);
        var store = Path.Combine(data.Path, LiteDbApplianceStore.FileName);
        // Another program's LiteDB file: "users" documents that the appliance's unique user name index cannot take.
        using (var other = new LiteDB.LiteDatabase(new LiteDB.ConnectionString { Filename = store, Connection = LiteDB.ConnectionType.Direct }))
        {
            var users = other.GetCollection("users");
            users.Insert(new LiteDB.BsonDocument { ["UserName"] = "same" });
            users.Insert(new LiteDB.BsonDocument { ["UserName"] = "same" });
        }
        var before = File.ReadAllBytes(store);
        var modified = File.GetLastWriteTimeUtc(store);

        var (code, error, app) = Serve(data.Path, new FakeDataPlane());

        Assert.Null(app);
        Assert.Equal(78, code);
        var line = Assert.Single(error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"appliance: cannot open the store {store}: ", line);
        Assert.EndsWith("; restore it from a backup or move it away to start empty", line);
        Assert.DoesNotContain("   at ", error);
        Assert.Equal(before, File.ReadAllBytes(store));
        Assert.Equal(modified, File.GetLastWriteTimeUtc(store));
        Assert.False(File.Exists(Path.Combine(data.Path, "appliance-log.db")));
    }

    [Fact]
    public async Task Start_LooseModes_DirectoryOwnerOnlyEveryFileOwnerOnlyIncludingTheLog()
    {
        using var data = new TempDirectory();
        Directory.CreateDirectory(data.Path);
        File.SetUnixFileMode(data.Path, (UnixFileMode)0b111_101_101);
        var notes = Path.Combine(data.Path, "notes.txt");
        await File.WriteAllTextAsync(notes, "left by an admin");
        File.SetUnixFileMode(notes, (UnixFileMode)0b110_100_100);
        var keys = Directory.CreateDirectory(Path.Combine(data.Path, "keys")).FullName;
        File.SetUnixFileMode(keys, (UnixFileMode)0b111_101_101);
        var key = Path.Combine(keys, "key-old.xml");
        await File.WriteAllTextAsync(key, "<key/>");
        File.SetUnixFileMode(key, (UnixFileMode)0b110_110_110);

        await using var host = await TestHost.StartAsync(new TestHostOptions { DataDirectory = data.Path });
        using (var client = await host.CreateAuthenticatedClientAsync())
        {
            using var created = await client.PostAsJsonAsync("/api/vhids", new
            {
                @interface = "eth-test0", vhid = 8, password = "mode-secret", vip = "198.18.8.1", srcip = "198.18.0.1",
            });
            Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        }

        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(data.Path));
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(keys));
        var files = Directory.GetFiles(data.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(data.Path, f)).ToList();
        Assert.Contains("appliance.db", files);
        Assert.Contains("appliance-log.db", files);
        Assert.Contains(".lock", files);
        Assert.Contains("notes.txt", files);
        Assert.All(files, f => Assert.True(File.GetUnixFileMode(Path.Combine(data.Path, f)) == OwnerOnlyFile, f));
    }
}
