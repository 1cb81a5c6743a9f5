using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;

using Appliance.Lab;

namespace Appliance.IntegrationTests.Lab;

[Collection(LabCollection.Name)]
public sealed class NetworkLabTests
{
    private static readonly TimeSpan UcarpMaster = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task AddNode_TwoNodes_PingEachOtherThroughBridge()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var b = lab.AddNode("b");

        Assert.NotEqual(a.Address, b.Address);
        Assert.NotEqual(a.Mac, b.Mac);
        Assert.True(lab.HasAddress(a, a.Address));
        Assert.False(lab.HasAddress(a, b.Address));
        Assert.StartsWith("198.1", a.Address.ToString(), StringComparison.Ordinal);
        Assert.All(lab.Namespaces, ns => Assert.StartsWith(NetworkLab.Prefix + lab.Id, ns, StringComparison.Ordinal));

        var ping = lab.Run(a, "ping", "-c", "1", "-W", "2", b.Address.ToString());
        Assert.True(ping.Succeeded, ping.ToString());
        var neighbour = lab.Run(a, "ip", "neigh", "show", b.Address.ToString());
        Assert.Contains(b.Mac, neighbour.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetLinkUp_CablePulled_NodeLosesCarrierUntilReplugged()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var b = lab.AddNode("b");

        lab.SetLinkUp(a, false);

        Assert.False(lab.IsLinkUp(a));
        Assert.True(lab.HasAddress(a, a.Address));
        var cut = lab.Run(a, "ping", "-c", "1", "-W", "1", b.Address.ToString());
        Assert.False(cut.Succeeded, cut.ToString());

        lab.SetLinkUp(a, true);
        await lab.WaitForLinkUpAsync(a, Short);

        var ping = lab.Run(a, "ping", "-c", "1", "-W", "2", b.Address.ToString());
        Assert.True(ping.Succeeded, ping.ToString());
    }

    [Fact]
    public async Task Ucarp_TwoNodes_OneMasterHoldsVipAndBackupTakesOverAfterKill()
    {
        string[] names;
        LabProcess ucarpA;
        await using (var lab = new NetworkLab())
        {
            var a = lab.AddNode("a");
            var b = lab.AddNode("b");
            var client = lab.AddClient();
            var vip = lab.AllocateAddress();
            names = [.. lab.Namespaces];

            // a starts first and wins; b (advskew 100) joins as backup and, without preemption, stays there.
            ucarpA = StartUcarp(lab, a, vip, advskew: 0);
            await ucarpA.WaitForLineAsync("Switching to state: MASTER", UcarpMaster);
            var ucarpB = StartUcarp(lab, b, vip, advskew: 100);
            await ucarpB.WaitForLineAsync("Switching to state: BACKUP", Short);
            await Eventually.TrueAsync(() => lab.HasAddress(a, vip), "VIP on a", Short);

            // b has heard a's adverts for longer than its master-down interval (3 x 1 s + 100/256 s).
            await Task.Delay(TimeSpan.FromSeconds(4.5));
            Assert.DoesNotContain(ucarpB.Lines, l => l.Contains("Switching to state: MASTER", StringComparison.Ordinal));
            Assert.True(lab.HasAddress(a, vip));
            Assert.False(lab.HasAddress(b, vip));
            Assert.False(lab.HasAddress(client, vip));
            var ping = lab.Run(client, "ping", "-c", "1", "-W", "2", vip.ToString());
            Assert.True(ping.Succeeded, ping.ToString());
            Assert.Contains(a.Mac, lab.Run(client, "ip", "neigh", "show", vip.ToString()).StdOut, StringComparison.Ordinal);

            // SIGKILL: no farewell advert, and the VIP stays on a (docs/namespace-lab.md, 2). b must take over
            // within master-down plus ucarp's ~1 s of poll lateness.
            var fromLine = ucarpB.LineCount;
            ucarpA.Kill();
            await ucarpA.WaitForExitAsync(Short);
            await ucarpB.WaitForLineAsync("Switching to state: MASTER", UcarpMaster, fromLine);
            await Eventually.TrueAsync(() => lab.HasAddress(b, vip), "VIP on b", Short);

            // The client follows b's gratuitous ARP.
            await Eventually.TrueAsync(
                () => lab.Run(client, "ip", "neigh", "show", vip.ToString()).StdOut.Contains(b.Mac, StringComparison.Ordinal),
                "client neighbour entry for the VIP pointing at b",
                Short);
            ping = lab.Run(client, "ping", "-c", "1", "-W", "2", vip.ToString());
            Assert.True(ping.Succeeded, ping.ToString());
        }

        Assert.True(ucarpA.HasExited);
        var left = NetworkLab.ListNamespaces();
        Assert.Equal(4, names.Length);
        Assert.Empty(left.Intersect(names));
    }

    [Fact]
    public async Task Dispose_RunningProcess_KillsItAndDeletesNamespaces()
    {
        LabProcess sleeper;
        string[] names;
        var lab = new NetworkLab();
        try
        {
            var a = lab.AddNode("a");
            names = [.. lab.Namespaces];
            sleeper = lab.Start(a, "sh", ["-c", "echo started; exec sleep 600"]);
            await sleeper.WaitForLineAsync("started", Short);
            Assert.False(sleeper.HasExited);
        }
        finally
        {
            await lab.DisposeAsync();
        }

        Assert.True(sleeper.HasExited);
        Assert.False(Directory.Exists($"/proc/{sleeper.Pid}/fd"));
        Assert.False(Directory.Exists(lab.WorkDirectory));
        Assert.Empty(NetworkLab.ListNamespaces().Intersect(names));
    }

    [Fact]
    public async Task LabProcess_Exits_WaitForLineFailsFastAndReportsOutput()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var process = lab.Start(a, "sh", ["-c", "echo one; echo two >&2; exit 3"]);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(
            () => process.WaitForLineAsync("never printed", Short));

        Assert.Equal(3, await process.WaitForExitAsync(Short));
        Assert.Contains("one", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["one", "two"], process.Lines.Order());
    }

    [Fact]
    public async Task HttpGetAsync_ServerInNode_ClientGetsBody()
    {
        await using var lab = new NetworkLab();
        var server = lab.AddNode("srv");
        var client = lab.AddClient();
        var root = Path.Combine(lab.WorkDirectory, "www");
        Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(Path.Combine(root, "hello.txt"), "hello from " + server.Namespace);

        var http = lab.Start(server, "python3", ["-u", "-m", "http.server", "8080", "--bind", server.Address.ToString(), "--directory", root]);
        await http.WaitForLineAsync("Serving HTTP", Short);
        var response = await lab.HttpGetAsync(client, $"http://{server.Address}:8080/hello.txt");
        var missing = await lab.HttpGetAsync(client, $"http://{server.Address}:8081/");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("hello from " + server.Namespace, response.Body);
        Assert.Equal(0, missing.StatusCode);
        Assert.NotEqual(0, missing.CurlExitCode);
    }

    [Fact]
    public async Task NetnsThread_SocketsCreatedInNodes_ExchangeDatagramsFromTestThread()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var b = lab.AddNode("b");

        var addressesInA = NetnsThread.Run(a.Namespace, () => NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .ToArray());
        // Binding to a node address only works inside that node's namespace.
        using var sender = NetnsThread.Run(a.Namespace, () => Bound(a.Address));
        using var receiver = NetnsThread.Run(b.Namespace, () => Bound(b.Address));
        receiver.ReceiveTimeout = 5000;
        sender.SendTo("forged"u8, new IPEndPoint(b.Address, ((IPEndPoint)receiver.LocalEndPoint!).Port));
        var buffer = new byte[64];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        var length = receiver.ReceiveFrom(buffer, ref from);

        Assert.Contains(a.Address, addressesInA);
        Assert.DoesNotContain(b.Address, addressesInA);
        Assert.Equal("forged", Encoding.ASCII.GetString(buffer, 0, length));
        Assert.Equal(a.Address, ((IPEndPoint)from).Address);
    }

    [Fact]
    public async Task NetnsThread_UnknownNamespace_Throws()
    {
        await using var lab = new NetworkLab();

        Assert.Throws<InvalidOperationException>(() => NetnsThread.Run(lab.BridgeNamespace + "-nope", () => 1));
    }

    [Fact]
    public void ApplianceBinary_AfterBuild_FindsApplianceDllOfThisConfiguration()
    {
        var path = ApplianceBinary.DllPath;

        Assert.True(File.Exists(path), path);
        Assert.Equal("appliance.dll", Path.GetFileName(path));
        Assert.True(File.Exists(Path.Combine(Repository.Root, "Appliance.sln")));
        Assert.Contains(Path.Combine("src", "Appliance", "bin", ApplianceBinary.Configuration, "net10.0"), path, StringComparison.Ordinal);
    }

    private static Socket Bound(IPAddress address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(address, 0));
        return socket;
    }

    private static LabProcess StartUcarp(NetworkLab lab, LabNode node, IPAddress vip, int advskew)
    {
        var up = lab.WriteExecutable($"up-{node.Name}.sh", $"#!/bin/sh\nip addr add {vip}/32 dev \"$1\"\n");
        var down = lab.WriteExecutable($"down-{node.Name}.sh", $"#!/bin/sh\nip addr del {vip}/32 dev \"$1\"\n");
        return lab.Start(node, "/usr/sbin/ucarp",
        [
            "-i", node.Interface, "-s", node.Address.ToString(), "-v", "42", "-p", "secret",
            "-a", vip.ToString(), "-b", "1", "-k", advskew.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-u", up, "-d", down,
        ]);
    }
}
