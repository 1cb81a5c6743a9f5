using System.Net;
using Appliance.Engine.Diagnostics;
using Appliance.Engine.Protocol;
using Appliance.Engine.Scripts;
using Appliance.Engine.StateMachine;
using Appliance.Engine.Transport;
using Microsoft.Extensions.Logging;

namespace Appliance.Engine.Hosting;

/// <summary>
/// One running VHID: the pure state machine wired to its edges (CARP channel, VIP, gratuitous ARP,
/// scripts, logging) plus the counters and status the web side reads. Packets are decoded on the
/// channel's receive thread and handed to the state machine at once.
/// </summary>
public sealed partial class CarpInstance : IAsyncDisposable, ICarpEffectSink
{
    private readonly IDataPlane _dataPlane;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ScriptRunner _scripts;
    private readonly Action<EngineEvent> _publish;
    private readonly CarpAuthenticator _authenticator;
    private readonly Lock _statusLock = new();
    private readonly long[] _drops = new long[Enum.GetValues<DropReason>().Length];
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _sendBuffer = new byte[CarpCodec.CarpLength];

    private CarpStateMachine? _machine;
    private ICarpChannel? _channel;
    private CarpReceiveFilter? _filter;
    private long _sent;
    private long _received;
    private long _sendErrors;
    private CarpState _state = CarpState.Init;
    private DateTimeOffset _since;
    private PeerInfo? _peer;
    private bool _maintenance;
    private SplitBrainInfo? _splitBrain;

    public CarpInstance(VhidConfig config, IDataPlane dataPlane, TimeProvider timeProvider, ILoggerFactory loggerFactory, Action<EngineEvent> publish)
    {
        Config = config;
        _dataPlane = dataPlane;
        _time = timeProvider;
        _logger = loggerFactory.CreateLogger($"Appliance.Carp.{config.Interface}.{config.Vhid}");
        _scripts = new ScriptRunner(_logger, TimeSpan.FromSeconds(30));
        _publish = publish;
        _authenticator = new CarpAuthenticator(config.Password, config.VirtualAddress);
        _since = timeProvider.GetUtcNow();
    }

    public VhidConfig Config { get; }

    /// <summary>The VIP as scripts receive it: as typed on the command line (ucarp), else its text form.</summary>
    private string VipText => Config.VirtualAddressText ?? Config.VirtualAddress.ToString();

    /// <summary>The address label, "eth0:ucarp" as the seed's alias shows (IFNAMSIZ caps labels at 15 bytes).</summary>
    internal string Label
    {
        get
        {
            var label = Config.Interface + ":ucarp";
            return label.Length <= 15 ? label : label[..15];
        }
    }

    /// <summary>Opens the socket and starts in BACKUP. Throws <see cref="PlatformException"/> or <see cref="InvalidOperationException"/> with a clear message.</summary>
    public void Start()
    {
        var source = Config.SourceAddress
            ?? _dataPlane.GetFirstIPv4Address(Config.Interface)
            ?? throw new InvalidOperationException($"interface {Config.Interface} has no IPv4 address to advertise from (set srcip)");
        if (Config.ManageVip && _dataPlane.HasAddress(Config.Interface, Config.VirtualAddress))
        {
            // A previous run that was killed (SIGKILL, power loss) left the VIP configured: a duplicate
            // address on the segment once a peer takes over. We start as BACKUP, so it goes first.
            _dataPlane.RemoveAddress(Config.Interface, Config.VirtualAddress, Config.PrefixLength);
            LogRemovedStaleVip(Config.VirtualAddress, Config.Interface);
        }
        // Null in multicast mode: the filter and the socket are exactly ucarp's then.
        var peers = Config.Peers.IsUnicast ? Config.Peers : null;
        _filter = new CarpReceiveFilter(source, Config.Vhid, Config.MulticastGroup, _authenticator, peers);
        _channel = _dataPlane.OpenChannel(new CarpChannelOptions(Config.Interface, source, Config.MulticastGroup, Config.NoMulticast, peers));
        if (peers is not null)
        {
            LogUnicast(Config.Peers.ToString(), Config.MulticastGroup);
        }
        _machine = new CarpStateMachine(Config, source, _time, this);
        StartDropLog();
        _channel.Start(OnPacket);
        var linkUp = _dataPlane.IsLinkUp(Config.Interface);
        _machine.Start(linkUp);
        OnCarrier(linkUp, atStart: true);
    }

    public void OnLinkChanged(bool up)
    {
        // Recorded first, so the history says why before the state machine's transition (if any) follows.
        OnCarrier(up);
        _machine?.OnLinkChanged(up);
    }

    public void ForceBackup(TimeSpan hold) => _machine?.ForceBackup(hold);

    public string Describe() => _machine?.Describe() ?? $"INIT on {Config.Interface} id {Config.Vhid}";

    /// <summary>
    /// The counters after ucarp's SIGUSR1 line (not in ucarp, whose counters cannot be read at all):
    /// "eth0 id 42: adverts sent 120, received 3; drops badDigest=10000 queueOverflow=12" (nonzero reasons, API names).
    /// </summary>
    public string DescribeCounters()
    {
        var counters = Status().Counters;
        var drops = counters.Drops.Count == 0
            ? " none"
            : string.Concat(counters.Drops.Select(d => $" {d.Key.ToWire()}={d.Value}"));
        return $"{Config.Interface} id {Config.Vhid}: adverts sent {counters.AdvertsSent}, received {counters.AdvertsReceived}; drops{drops}";
    }

    public void SetMaintenance(bool enabled)
    {
        lock (_statusLock)
        {
            _maintenance = enabled;
        }
        _machine?.SetMaintenance(enabled);
        PublishStatus();
    }

    public void SetDemotion(string source, string? reason)
    {
        _machine?.SetDemotion(source, reason);
        PublishStatus();
    }

    /// <summary>Graceful stop: bow out, wait for the peer to claim the VIP (bounded), release it, run the downscript.</summary>
    public async Task StopAsync(TimeSpan peerWait, CancellationToken cancellationToken = default)
    {
        if (_machine is null)
        {
            return;
        }
        _machine.Stop(peerWait);
        try
        {
            await _stopped.Task.WaitAsync(peerWait + TimeSpan.FromSeconds(2), _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogStopTimedOut();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _machine?.Dispose();
        _channel?.Dispose();
        await StopDropLogAsync().ConfigureAwait(false);
        await _scripts.DisposeAsync().ConfigureAwait(false);
    }

    public VhidStatus Status()
    {
        // Never the machine's lock here (its demotions are a lock-free copy): readers must not make the advert
        // timer wait. The status lock is held only to copy a few fields (docs/carp-protocol.md, 4.5).
        var demotions = _machine?.Demotions ?? [];
        // Lock-free, like the demotions: a copy the machine makes at every change, decayed to now here.
        var flapping = _machine?.Flapping ?? (Config.FlapDamping.Enabled ? new FlapStatus(false, null, 0) : null);
        var drops = new Dictionary<DropReason, long>();
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            var n = reason == DropReason.QueueOverflow ? _channel?.KernelDrops ?? 0 : Interlocked.Read(ref _drops[(int)reason]);
            if (n > 0)
            {
                drops[reason] = n;
            }
        }
        lock (_statusLock)
        {
            return new VhidStatus(
                Config.Key,
                Config,
                _state,
                _since,
                _peer,
                new VhidCounters(Interlocked.Read(ref _sent), Interlocked.Read(ref _received), drops),
                _maintenance,
                demotions,
                _splitBrain,
                _carrier,
                flapping);
        }
    }

    private void OnPacket(ReadOnlySpan<byte> packet)
    {
        // The receive thread must survive anything a packet or an effect throws: log, keep receiving.
        try
        {
            HandlePacket(packet);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogPacketFailed(ex);
        }
    }

    private void HandlePacket(ReadOnlySpan<byte> packet)
    {
        if (!CarpCodec.TryDecode(packet, _filter!, out var advert, out var reason, out var detail))
        {
            RecordDrop(reason, detail);
            return;
        }
        Interlocked.Increment(ref _received);
        var verdict = _machine!.OnAdvert(advert.Source, advert.AdvBase, advert.AdvSkew, advert.Counter);
        if (!verdict.Accepted)
        {
            // Not in ucarp (docs/replay.md): counted and logged like the codec's drops; the peer shown stays the last accepted one.
            RecordDrop(DropReason.Replay, $"Replayed advert from {advert.Source}: counter 0x{advert.Counter:x16} seen before or not newer than 0x{verdict.Newest ?? 0:x16}");
            return;
        }
        if (UpdatePeer(advert, verdict.PeerMode))
        {
            PublishStatus();
        }
    }

    private bool UpdatePeer(ReceivedAdvert advert, CounterMode mode)
    {
        lock (_statusLock)
        {
            var old = _peer;
            _peer = new PeerInfo(advert.Source, advert.AdvBase, advert.AdvSkew, _time.GetUtcNow()) { Demotion = advert.Demotion, CounterMode = mode };
            return old is null || !old.Source.Equals(advert.Source) || old.AdvBase != advert.AdvBase || old.AdvSkew != advert.AdvSkew
                || old.Demotion != advert.Demotion || old.CounterMode != mode;
        }
    }

    // Runs under the state machine's lock: nothing here may block for long (a send or a netlink
    // round-trip is microseconds; scripts are queued, never awaited).
    void ICarpEffectSink.Apply(CarpEffect effect)
    {
        switch (effect)
        {
            case CarpEffect.SendAdvert a:
                SendAdvert(a.AdvBase, a.AdvSkew, a.Counter);
                break;
            case CarpEffect.SendGratuitousArp:
                SendGratuitousArp();
                break;
            case CarpEffect.Transition t:
                OnTransition(t);
                break;
            case CarpEffect.Notice n:
                var (level, text) = CarpNoticeText.Render(n, Config.Interface);
                LogCarp(level, text);
                break;
            case CarpEffect.SplitBrain sb:
                OnSplitBrain(sb);
                break;
            case CarpEffect.Flapping f:
                OnFlapping(f);
                break;
            case CarpEffect.Reannounce:
                RunUpScript();
                break;
            case CarpEffect.Stopped:
                _stopped.TrySetResult();
                break;
        }
    }

    void ICarpEffectSink.SendAdvert(byte advBase, byte advSkew, ulong counter) => SendAdvert(advBase, advSkew, counter);

    /// <summary>Allocates nothing: the 36 bytes are written into one buffer per VHID and sent from it.</summary>
    private void SendAdvert(byte advBase, byte advSkew, ulong counter)
    {
        CarpCodec.WriteAdvert(_sendBuffer, Config.Vhid, advBase, advSkew, counter, _authenticator);
        try
        {
            _channel!.Send(_sendBuffer);
            Interlocked.Increment(ref _sent);
            _sendErrors = 0;
        }
        catch (PlatformException ex)
        {
            // ucarp: "write() has failed" then "write() error #n/3".
            LogWriteFailed(ex.Message);
            LogWriteError(++_sendErrors);
        }
    }

    private void SendGratuitousArp()
    {
        try
        {
            _dataPlane.SendGratuitousArp(Config.Interface, Config.VirtualAddress);
        }
        catch (PlatformException ex)
        {
            LogGarpFailed(ex.Message);
        }
    }

    private void OnTransition(CarpEffect.Transition t)
    {
        var line = $"Switching to state: {t.To.ToWire()}";
        LogSwitching(t.To.ToWire());
        var now = _time.GetUtcNow();
        lock (_statusLock)
        {
            _state = t.To;
            _since = now;
        }
        if (t.To == CarpState.Master)
        {
            if (Config.ManageVip)
            {
                TryAddress(add: true);
            }
            RunUpScript();
        }
        else if (t.To == CarpState.Backup && t.RunScripts)
        {
            if (Config.ManageVip && t.From == CarpState.Master)
            {
                TryAddress(add: false);
            }
            RunScript(Config.DownScript, "down", onDone: null);
        }
        _publish(new EngineEvent.Transitioned(new TransitionRecord(now, Config.Key, Config.Interface, Config.Vhid, t.From, t.To, t.Cause, line)));
        PublishStatus();
    }

    private void RunUpScript() => RunScript(Config.UpScript, "up", onDone: () =>
    {
        // Scripts own the VIP in ucarp mode and run in the background here: announce again once
        // the VIP is really configured, if we are still MASTER.
        if (!Config.ManageVip && _machine?.State == CarpState.Master)
        {
            SendGratuitousArp();
        }
    });

    private void OnSplitBrain(CarpEffect.SplitBrain sb)
    {
        var (level, line) = CarpNoticeText.Render(sb);
        LogCarp(level, line);
        var now = _time.GetUtcNow();
        CarpState state;
        lock (_statusLock)
        {
            _splitBrain = sb.Resolved ? null : new SplitBrainInfo(sb.OtherMaster, now);
            state = _state;
        }
        _publish(new EngineEvent.SplitBrainChanged(new SplitBrainRecord(now, Config.Key, Config.Interface, Config.Vhid, sb.OtherMaster, sb.Resolved, state, line)));
        PublishStatus();
    }

    private void OnFlapping(CarpEffect.Flapping f)
    {
        var (level, line) = CarpNoticeText.Render(f);
        LogCarp(level, line);
        _publish(new EngineEvent.FlapChanged(new FlapRecord(_time.GetUtcNow(), Config.Key, Config.Interface, Config.Vhid, f.Suppressed, f.State, f.Penalty, line)));
        PublishStatus();
    }

    private void TryAddress(bool add)
    {
        try
        {
            if (add)
            {
                _dataPlane.AddAddress(Config.Interface, Config.VirtualAddress, Config.PrefixLength, Label);
            }
            else
            {
                _dataPlane.RemoveAddress(Config.Interface, Config.VirtualAddress, Config.PrefixLength);
            }
        }
        catch (PlatformException ex)
        {
            LogVipFailed(add ? "add" : "remove", Config.VirtualAddress, ex.Message);
        }
    }

    private void RunScript(string? path, string direction, Action? onDone)
    {
        if (string.IsNullOrEmpty(path))
        {
            if (!Config.ManageVip)
            {
                LogNoScript(direction);
            }
            return;
        }
        var args = new List<string> { Config.Interface, VipText };
        if (!string.IsNullOrEmpty(Config.ExtraParameter))
        {
            args.Add(Config.ExtraParameter);
        }
        _scripts.Enqueue(new ScriptRequest(path, args, onDone is null ? null : _ => onDone(),
            Config.CheckScriptsBeforeRun ? ScriptDirectory.CheckPath : null));
    }

    private void PublishStatus() => _publish(new EngineEvent.StatusChanged(Status()));

    [LoggerMessage(EventId = LogEventIds.EngineHosting + 1, Level = LogLevel.Warning, Message = "Switching to state: {State}")]
    private partial void LogSwitching(string state);

    [LoggerMessage(EventId = LogEventIds.EngineHosting + 2, Level = LogLevel.Warning, Message = "{Detail}")]
    private partial void LogDrop(string detail);

    [LoggerMessage(EventId = LogEventIds.EngineHosting + 3, Level = LogLevel.Debug, Message = "{Detail}")]
    private partial void LogDropDebug(string detail);

    [LoggerMessage(EventId = LogEventIds.EngineHosting + 4, Level = LogLevel.Warning, Message = "write() has failed: {Error}")]
    private partial void LogWriteFailed(string error);

    [LoggerMessage(EventId = LogEventIds.EngineHosting + 5, Level = LogLevel.Error, Message = "write() error #{Count}")]
    private partial void LogWriteError(long count);

    [LoggerMessage(EventId = LogEventIds.EngineHosting + 6, Level = LogLevel.Error, Message = "write() in garp: {Error}")]
    private partial void LogGarpFailed(string error);

    // ucarp's exact words, "Warning:" included (admins grep for them), which SYSLIB1012 would strip.
#pragma warning disable SYSLIB1012
    [LoggerMessage(EventId = LogEventIds.EngineHosting + 7, Level = LogLevel.Warning, Message = "Warning: no script called when going {Direction}")]
    private partial void LogNoScript(string direction);
#pragma warning restore SYSLIB1012

    [LoggerMessage(EventId = LogEventIds.EngineHosting + 8, Level = LogLevel.Error, Message = "Unable to {Action} VIP {Vip}: {Error}")]
    private partial void LogVipFailed(string action, IPAddress vip, string error);

    [LoggerMessage(EventId = LogEventIds.EngineHosting + 9, Level = LogLevel.Warning, Message = "Removed VIP {Vip} from {Interface}: left configured by an earlier run")]
    private partial void LogRemovedStaleVip(IPAddress vip, string @interface);

    [LoggerMessage(EventId = LogEventIds.EngineHosting + 11, Level = LogLevel.Error, Message = "Handling a received packet failed")]
    private partial void LogPacketFailed(Exception exception);

    [LoggerMessage(EventId = LogEventIds.EngineHosting + 10, Level = LogLevel.Warning, Message = "Graceful stop did not complete in time; closing anyway")]
    private partial void LogStopTimedOut();

    /// <summary>docs/carp-protocol.md, 5.4 Unicast peers: said once at start, since nothing on the wire tells a ucarp peer why it is not heard.</summary>
    [LoggerMessage(EventId = LogEventIds.EngineHosting + 14, Level = LogLevel.Information,
        Message = "Unicast peers: adverts go to {Peers} only, and only theirs are accepted; a ucarp peer cannot take part (ucarp accepts only adverts sent to {Group})")]
    private partial void LogUnicast(string peers, IPAddress group);

    /// <summary>A notice of the state machine's, in the words and at the level <see cref="CarpNoticeText"/> gives it.</summary>
    [LoggerMessage(EventId = LogEventIds.EngineHosting + 12, EventName = "Carp", Message = "{Message}")]
    private partial void LogCarp(LogLevel level, string message);
}
