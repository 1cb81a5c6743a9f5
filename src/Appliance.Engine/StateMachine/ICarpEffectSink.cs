namespace Appliance.Engine.StateMachine;

/// <summary>Where a <see cref="CarpStateMachine"/>'s effects go, in order, under the machine's lock (must not block).</summary>
public interface ICarpEffectSink
{
    /// <summary>Carries out one effect.</summary>
    void Apply(CarpEffect effect);

    /// <summary>
    /// A MASTER's periodic advert, as fields rather than a record so that the steady state allocates nothing.
    /// By default it is the same as <see cref="Apply"/> with a <see cref="CarpEffect.SendAdvert"/>.
    /// </summary>
    void SendAdvert(byte advBase, byte advSkew, ulong counter) => Apply(new CarpEffect.SendAdvert(advBase, advSkew, counter));
}
