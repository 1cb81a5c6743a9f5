using System.Runtime.Versioning;

// Network namespaces, setns(2) and ucarp: these tests only exist on Linux.
[assembly: SupportedOSPlatform("linux")]
