using Appliance.Engine.StateMachine;

namespace Appliance.Engine.Hosting;

/// <summary>
/// The interface's carrier as the status and the history show it (docs/carp-protocol.md, 6.7 Carrier): the state
/// machine acts on it (BACKUP without it), this records it, so that a BACKUP whose cable is pulled, which changes
/// no state, is still visible.
/// </summary>
public sealed partial class CarpInstance
{
    private bool _carrier = true;

    /// <summary>
    /// Records a carrier change (the netlink thread) or, with <paramref name="atStart"/>, the carrier read at start, and
    /// publishes it with the status. Nothing for an unchanged value: the kernel repeats link messages.
    /// </summary>
    private void OnCarrier(bool up, bool atStart = false)
    {
        if (_machine is null)
        {
            return;
        }
        CarpState state;
        lock (_statusLock)
        {
            if (_carrier == up)
            {
                return;
            }
            _carrier = up;
            state = _state;
        }
        var (_, line) = CarpNoticeText.Carrier(Config.Interface, up, atStart, Config.IgnoreInterfaceState);
        _publish(new EngineEvent.CarrierChanged(new CarrierRecord(_time.GetUtcNow(), Config.Key, Config.Interface, Config.Vhid, up, state, line)));
        PublishStatus();
    }
}
