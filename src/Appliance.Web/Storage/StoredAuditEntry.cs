namespace Appliance.Web.Storage;

/// <summary>Who changed what, when. Changes never contain a CARP password, only "password: changed".</summary>
public sealed class StoredAuditEntry
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public string User { get; set; } = "";
    public string Action { get; set; } = "";
    public string Target { get; set; } = "";
    public List<string> Changes { get; set; } = [];
}
