using System.Net;
using System.Text;
using Appliance.Engine.Cli;
using Appliance.Engine.Import;
using Appliance.Engine.Platform.Linux;
using Appliance.Engine.Protocol;

namespace Appliance.Fuzz;

/// <summary>
/// One fuzz target per parser. Each takes arbitrary bytes; the parsers report bad input through their return values
/// and messages, so any exception escaping a target is a crash (AFL++ records it under crashes/).
/// </summary>
internal static class Targets
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["advert"] = Advert,
        ["netlink"] = NetlinkReplyBytes,
        ["ucarp-conf"] = UcarpConf,
        ["interfaces"] = Interfaces,
        ["cmdline"] = CommandLine,
    };

    // The captured adverts in the seed corpus (docs/carp-protocol.md): vhid 42, group 224.0.0.18, VIP 198.18.0.100,
    // password "secret", seen by 198.18.0.2, so a seed passes every check and mutations reach each drop reason.
    // Built on first use: instrumented engine code must not run before Fuzzer.OutOfProcess.Run has mapped AFL++'s map.
    private static CarpReceiveFilter? _filter;

    private static CarpReceiveFilter Filter => _filter ??= new(
        IPAddress.Parse("198.18.0.2"), 42, IPAddress.Parse("224.0.0.18"),
        new CarpAuthenticator("secret", IPAddress.Parse("198.18.0.100")));

    // Never reads a file: a fuzzed passfile path must not open /dev/zero.
    private static readonly PasswordFileReader FakePasswordFile = (string path, out string? password, out string? error) =>
    {
        password = path.Length % 2 == 0 ? "filepass" : null;
        error = password is null ? "unreadable" : null;
        return password is not null;
    };

    private static void Advert(byte[] data)
    {
        if (CarpCodec.TryDecode(data, Filter, out var advert, out var reason, out var detail))
        {
            _ = advert.Counter;
        }
        else
        {
            _ = reason.ToString();
            _ = detail?.Length;
        }
    }

    private static void NetlinkReplyBytes(byte[] data)
    {
        NetlinkReply.ForEach(data, (header, body) =>
        {
            _ = NetlinkReply.TryReadError(body, out _);
            _ = NetlinkAddresses.TryParseAddress(header.nlmsg_type, body, ifindex: 2, out _);
            _ = LinkWatcher.TryParseLink(header.nlmsg_type, body, out _, out _, out _);
            _ = NetlinkAttributes.FindString(body, (ushort)(header.nlmsg_flags & 0xF));
        });
    }

    private static void UcarpConf(byte[] data) => Import(data, "ucarp.conf");

    private static void Interfaces(byte[] data) => Import(data, "interfaces");

    private static void Import(byte[] data, string sourceName)
    {
        var result = UcarpConfigImporter.Parse(Encoding.UTF8.GetString(data), sourceName, FakePasswordFile);
        foreach (var message in result.Messages)
        {
            _ = message.Format(sourceName);
        }
    }

    /// <summary>One argument per line, as argv (no shell); a line "!" followed by text is split like a --config line.</summary>
    private static void CommandLine(byte[] data)
    {
        var args = new List<string>();
        foreach (var line in Encoding.UTF8.GetString(data).Split('\n'))
        {
            if (line.StartsWith('!'))
            {
                if (UcarpCommandLine.TrySplitWords(line[1..], out var words, out _))
                {
                    args.AddRange(words);
                }
            }
            else
            {
                args.Add(line);
            }
        }
        // --config reads a file: not fuzzed here (its lines go through TrySplitWords, fuzzed above).
        if (args.Any(a => a.StartsWith("--c", StringComparison.Ordinal)))
        {
            return;
        }
        if (!UcarpCommandLine.TryCollectGroups(args, out var groups, out _, out _))
        {
            return;
        }
        foreach (var group in groups)
        {
            if (UcarpCommandLine.TryBuild(group, out var config, out _, out var errors, FakePasswordFile))
            {
                _ = config.Vhid;
            }
            foreach (var error in errors)
            {
                _ = error.ToString();
            }
        }
    }
}
