using System.Runtime.Versioning;

// The demo and its lab exist only on Linux (network namespaces).
[assembly: SupportedOSPlatform("linux")]
