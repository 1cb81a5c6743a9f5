// Packaging targets Linux hosts only (Docker images, systemd, file capabilities).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
