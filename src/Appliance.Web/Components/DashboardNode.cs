namespace Appliance.Web.Components;

/// <summary>The node the dashboard runs on, shown in the header and in the syslog-style history lines.</summary>
public sealed record DashboardNode(string HostName);
