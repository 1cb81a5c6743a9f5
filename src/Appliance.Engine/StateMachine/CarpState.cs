namespace Appliance.Engine.StateMachine;

/// <summary>CARP states as ucarp numbers them (INIT 0, BACKUP 1, MASTER 2).</summary>
public enum CarpState
{
    Init = 0,
    Backup = 1,
    Master = 2,
}

public static class CarpStateNames
{
    /// <summary>The upper-case name ucarp logs ("Switching to state: MASTER").</summary>
    public static string ToWire(this CarpState state) => state switch
    {
        CarpState.Init => "INIT",
        CarpState.Backup => "BACKUP",
        CarpState.Master => "MASTER",
        _ => state.ToString().ToUpperInvariant(),
    };
}
