using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Appliance.Engine.Protocol;

/// <summary>
/// CARP HMAC-SHA1 exactly as ucarp computes it (docs/carp-protocol.md, 3 Authentication): key = raw password bytes,
/// message = 0x02 0x01 vhid VIP(4) counter(8, big-endian as on the wire).
/// </summary>
public sealed class CarpAuthenticator
{
    /// <summary>ucarp copies strlen(pw)+1 bytes into a 20-byte key buffer, so 19 bytes is the limit.</summary>
    public const int MaxPasswordBytes = 19;
    public const int DigestLength = 20;
    private const int MessageLength = 15;

    private readonly byte[] _key;
    private readonly byte[] _virtualAddress = new byte[4];

    public CarpAuthenticator(string password, IPAddress virtualAddress)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(virtualAddress);
        if (password.Contains('\0'))
        {
            // ucarp takes the password as a C string: a NUL would silently cut it short.
            throw new ArgumentException("CARP password must not contain a NUL character.", nameof(password));
        }
        var key = Encoding.UTF8.GetBytes(password);
        if (key.Length is < 1 or > MaxPasswordBytes)
        {
            throw new ArgumentException(
                $"CARP password must be 1 to {MaxPasswordBytes} bytes of UTF-8 (ucarp's limit); it is {key.Length} bytes.",
                nameof(password));
        }
        if (virtualAddress.AddressFamily != AddressFamily.InterNetwork || !virtualAddress.TryWriteBytes(_virtualAddress, out _))
        {
            throw new ArgumentException($"The virtual address {virtualAddress} is not an IPv4 address.", nameof(virtualAddress));
        }
        _key = key;
        VirtualAddress = new IPAddress(_virtualAddress);
    }

    public IPAddress VirtualAddress { get; }

    /// <summary>Writes the 20-byte digest for (vhid, counter) into the first 20 bytes of <paramref name="digest20"/>.</summary>
    public void ComputeDigest(byte vhid, ulong counter, Span<byte> digest20)
    {
        if (digest20.Length < DigestLength)
        {
            throw new ArgumentException($"need {DigestLength} bytes", nameof(digest20));
        }
        Span<byte> message = stackalloc byte[MessageLength];
        message[0] = 2; // CARP_VERSION
        message[1] = 1; // CARP_ADVERTISEMENT
        message[2] = vhid;
        _virtualAddress.CopyTo(message[3..7]);
        BinaryPrimitives.WriteUInt64BigEndian(message[7..], counter);
        HMACSHA1.HashData(_key, message, digest20[..DigestLength]);
    }

    /// <summary>Constant-time check of a received digest; false for any length other than 20.</summary>
    public bool Verify(byte vhid, ulong counter, ReadOnlySpan<byte> digest20)
    {
        Span<byte> computed = stackalloc byte[DigestLength];
        ComputeDigest(vhid, counter, computed);
        return CryptographicOperations.FixedTimeEquals(computed, digest20);
    }
}
