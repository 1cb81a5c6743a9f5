using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Appliance.Engine.StateMachine;

/// <summary>How a VHID treats a peer that repeats one counter (OpenBSD's constant cookie); docs/replay.md.</summary>
public enum ReplayCheck
{
    /// <summary>Every counter seen before is a replay, the constant cookie included.</summary>
    Strict,

    /// <summary>As strict, except that a detected constant cookie is accepted from the source that sends it.</summary>
    Relaxed,
}

/// <summary>How the peer's counters move, as far as we have seen them (docs/replay.md, Counter modes).</summary>
public enum CounterMode
{
    /// <summary>Not yet stepped by exactly +1: a ucarp/FreeBSD master that has heard no one, or too few adverts seen.</summary>
    Random,

    /// <summary>Stepped by exactly +1 at least once: the counter counts up (ucarp after hearing anyone, us).</summary>
    Sequential,

    /// <summary>The same counter several times in a row from the same source: OpenBSD's constant cookie.</summary>
    Constant,
}

/// <summary>
/// What <see cref="CarpStateMachine.OnAdvert"/> made of an advert: <paramref name="Accepted"/> false means dropped as a
/// replay; <paramref name="PeerMode"/> is the last accepted source's counter mode; <paramref name="Newest"/> the newest
/// counter sent or accepted after this advert (null if none yet).
/// </summary>
public readonly record struct AdvertVerdict(bool Accepted, CounterMode PeerMode, ulong? Newest);

/// <summary>The replay guard's answer for one HMAC-valid advert.</summary>
internal enum ReplayVerdict
{
    Accept,
    Replay,
}

/// <summary>
/// Replay protection of one VHID (docs/replay.md). Pure and not thread-safe: <see cref="CarpStateMachine"/> owns
/// it under its lock. It holds the newest counter this VHID sent or accepted, a window of the last
/// <see cref="WindowSize"/> counters sent or accepted (kept as runs of consecutive values, so a healthy
/// segment costs one run), what the last accepted source's counters looked like, and the repeat count that
/// detects a constant cookie.
/// </summary>
internal sealed class ReplayGuard
{
    public const int WindowSize = 1024;
    /// <summary>The same counter this many times in a row from one source is a constant cookie.</summary>
    public const int ConstantRepeats = 3;

    private List<Run>? _window;
    private int _windowCount;
    private bool _hasNewest;
    private ulong _newest;

    private IPAddress? _peer;
    private ulong _peerLast;
    private bool _peerSequential;

    private IPAddress? _repeatSource;
    private ulong _repeatCounter;
    private int _repeats;
    private IPAddress? _constantSource;
    private ulong _constantCounter;

    /// <summary>The newest counter sent or accepted, if any since start (or since the link returned).</summary>
    public ulong? Newest => _hasNewest ? _newest : null;

    /// <summary>RFC 1982 serial-number order on 64 bits: <paramref name="a"/> is newer than <paramref name="b"/>.</summary>
    public static bool IsNewer(ulong a, ulong b) => unchecked((long)(a - b)) > 0;

    /// <summary>
    /// The counter of our next advert: one random start (top bit clear) the first time, then +1. After
    /// <see cref="Accept"/> it continues from the adopted counter, as ucarp does.
    /// </summary>
    public ulong NextOwn()
    {
        if (!_hasNewest)
        {
            Span<byte> random = stackalloc byte[8];
            RandomNumberGenerator.Fill(random);
            _newest = BinaryPrimitives.ReadUInt64BigEndian(random) & long.MaxValue;
            _hasNewest = true;
        }
        else
        {
            _newest = unchecked(_newest + 1);
        }
        Remember(_newest);
        return _newest;
    }

    /// <summary>
    /// The verdict on an HMAC-valid advert (docs/replay.md, Rules); <paramref name="constantDetected"/> is true
    /// only for the advert that completes a constant-cookie detection, so the caller says it once.
    /// </summary>
    public ReplayVerdict Check(IPAddress source, ulong counter, bool backup, ReplayCheck mode, out bool constantDetected)
    {
        constantDetected = CountRepeat(source, counter);
        if (InWindow(counter))
        {
            var relaxedCookie = mode == ReplayCheck.Relaxed && counter == _constantCounter && source.Equals(_constantSource);
            return relaxedCookie ? ReplayVerdict.Accept : ReplayVerdict.Replay;
        }
        if (!_hasNewest || IsNewer(counter, _newest))
        {
            return ReplayVerdict.Accept;
        }
        // A ucarp master that has heard no one sends a fresh random counter in every advert.
        return backup && source.Equals(_peer) && !_peerSequential ? ReplayVerdict.Accept : ReplayVerdict.Replay;
    }

    /// <summary>An accepted advert: its counter becomes the newest (ucarp adopts it) and joins the window.</summary>
    public void Accept(IPAddress source, ulong counter)
    {
        if (source.Equals(_peer))
        {
            _peerSequential |= counter == unchecked(_peerLast + 1);
        }
        else
        {
            _peer = source;
            _peerSequential = false;
        }
        _peerLast = counter;
        _newest = counter;
        _hasNewest = true;
        Remember(counter);
    }

    /// <summary>The mode of the last accepted source's counters.</summary>
    public CounterMode PeerMode => _peer is not null && _peer.Equals(_constantSource)
        ? CounterMode.Constant
        : _peerSequential ? CounterMode.Sequential : CounterMode.Random;

    /// <summary>We became MASTER: whoever was master is gone; a new one must show its counters afresh.</summary>
    public void ForgetPeer()
    {
        _peer = null;
        _peerSequential = false;
    }

    /// <summary>Carrier regained: the segment may have restarted meanwhile, so forget the newest; keep the window.</summary>
    public void ForgetNewest()
    {
        _hasNewest = false;
        ForgetPeer();
    }

    private bool CountRepeat(IPAddress source, ulong counter)
    {
        if (_peer is not null && !source.Equals(_peer))
        {
            // Only the source we follow can be a constant-cookie sender: another address repeating one
            // counter is replaying, and must not displace the real peer's cookie.
            return false;
        }
        if (counter == _repeatCounter && source.Equals(_repeatSource))
        {
            _repeats++;
        }
        else
        {
            _repeatSource = source;
            _repeatCounter = counter;
            _repeats = 1;
        }
        if (_repeats != ConstantRepeats || (counter == _constantCounter && source.Equals(_constantSource)))
        {
            return false;
        }
        _constantSource = source;
        _constantCounter = counter;
        return true;
    }

    private bool InWindow(ulong counter)
    {
        if (_window is null)
        {
            return false;
        }
        foreach (var run in CollectionsMarshal.AsSpan(_window))
        {
            if (unchecked(counter - run.Start) < run.Length)
            {
                return true;
            }
        }
        return false;
    }

    private void Remember(ulong counter)
    {
        if (InWindow(counter))
        {
            return;
        }
        _window ??= new List<Run>(1);
        var runs = CollectionsMarshal.AsSpan(_window);
        if (runs.Length > 0 && unchecked(runs[^1].Start + runs[^1].Length) == counter)
        {
            runs[^1].Length++;
        }
        else
        {
            _window.Add(new Run { Start = counter, Length = 1 });
        }
        if (++_windowCount <= WindowSize)
        {
            return;
        }
        // Forget the oldest counter.
        _windowCount--;
        ref var oldest = ref CollectionsMarshal.AsSpan(_window)[0];
        oldest.Start = unchecked(oldest.Start + 1);
        if (--oldest.Length == 0)
        {
            _window.RemoveAt(0);
        }
    }

    /// <summary>Consecutive counters Start .. Start + Length - 1 (mod 2^64).</summary>
    private struct Run
    {
        public ulong Start;
        public ulong Length;
    }
}
