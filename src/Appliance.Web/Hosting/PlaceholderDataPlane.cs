using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Appliance.Engine.Transport;

namespace Appliance.Web.Hosting;

/// <summary>
/// TEMPORARY stand-in until Appliance.Engine.Platform.Linux.LinuxDataPlane lands: answers the
/// read-only questions (interfaces, addresses) from System.Net and refuses to send anything.
/// </summary>
internal sealed class PlaceholderDataPlane : IDataPlane
{
    public ICarpChannel OpenChannel(CarpChannelOptions options) => throw NotAvailable();
    public void AddAddress(string interfaceName, IPAddress address, int prefixLength, string label) => throw NotAvailable();
    public void RemoveAddress(string interfaceName, IPAddress address, int prefixLength) => throw NotAvailable();
    public void SendGratuitousArp(string interfaceName, IPAddress address) => throw NotAvailable();

    public bool HasAddress(string interfaceName, IPAddress address) =>
        Find(interfaceName)?.GetIPProperties().UnicastAddresses.Any(a => a.Address.Equals(address)) ?? false;

    public int? GetInterfaceIndex(string interfaceName) => Find(interfaceName)?.GetIPProperties().GetIPv4Properties()?.Index;

    public IPAddress? GetFirstIPv4Address(string interfaceName) =>
        Find(interfaceName)?.GetIPProperties().UnicastAddresses.FirstOrDefault(a => a.Address.AddressFamily == AddressFamily.InterNetwork)?.Address;

    public bool IsLinkUp(string interfaceName) => Find(interfaceName)?.OperationalStatus == OperationalStatus.Up;

    public IDisposable WatchLinks(Action<string, bool> onChange) => new NoWatch();

    private static NetworkInterface? Find(string name) =>
        NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == name);

    private static PlatformException NotAvailable() => new("placeholder", 95, "the Linux data plane is not built in yet");

    private sealed class NoWatch : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
