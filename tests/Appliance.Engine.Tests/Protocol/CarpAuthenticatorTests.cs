using System.Net;
using System.Security.Cryptography;
using System.Text;
using Appliance.Engine.Protocol;

namespace Appliance.Engine.Tests.Protocol;

public class CarpAuthenticatorTests
{
    private static readonly IPAddress Vip = IPAddress.Parse("198.18.0.100");

    [Theory]
    [MemberData(nameof(CapturedPackets.Names), MemberType = typeof(CapturedPackets))]
    public void ComputeDigest_CapturedAdvert_EqualsCapturedDigest(string name)
    {
        var captured = CapturedPackets.ByName(name);
        var authenticator = new CarpAuthenticator(captured.Password, captured.Vip);
        var digest = new byte[20];

        authenticator.ComputeDigest(captured.Vhid, captured.Counter, digest);

        Assert.Equal(Convert.ToHexString(captured.Digest), Convert.ToHexString(digest));
        Assert.Equal(Convert.ToHexString(captured.Digest), Convert.ToHexString(captured.Carp[16..].ToArray()));
    }

    // The 15-byte messages and keys exactly as written in docs/carp-protocol.md, 7.1-7.3.
    [Theory]
    [InlineData("secret", "198.18.0.100", 42, 0xca2fd5f943b09df5, "02 01 2a c6 12 00 64 ca 2f d5 f9 43 b0 9d f5", "bdf443c3b4c637232ac359ca47a9c654843ede39")]
    [InlineData("pw123", "198.18.0.60", 9, 0x34eae5139bc0dbf9, "02 01 09 c6 12 00 3c 34 ea e5 13 9b c0 db f9", "7904a9b605c17c4d3cc30e9b0b783436cf9842c9")]
    [InlineData("pw123", "198.18.0.70", 200, 0x3f5732964b8195b6, "02 01 c8 c6 12 00 46 3f 57 32 96 4b 81 95 b6", "f8a0bf307aa239f9c5bfcbdff2a71599c86b7fe8")]
    public void ComputeDigest_SpecVector_EqualsHmacOfSpecMessage(string password, string vip, byte vhid, ulong counter, string message, string expectedDigest)
    {
        var authenticator = new CarpAuthenticator(password, IPAddress.Parse(vip));
        var digest = new byte[20];

        authenticator.ComputeDigest(vhid, counter, digest);

        var reference = HMACSHA1.HashData(Encoding.ASCII.GetBytes(password), CapturedPackets.Hex(message));
        Assert.Equal(expectedDigest, Convert.ToHexStringLower(reference));
        Assert.Equal(expectedDigest, Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void ComputeDigest_LargerSpan_WritesOnlyFirstTwentyBytes()
    {
        var authenticator = new CarpAuthenticator("secret", Vip);
        var buffer = Enumerable.Repeat((byte)0xAA, 24).ToArray();

        authenticator.ComputeDigest(42, 0xca2fd5f943b09df5, buffer);

        Assert.Equal("bdf443c3b4c637232ac359ca47a9c654843ede39", Convert.ToHexStringLower(buffer.AsSpan(0, 20)));
        Assert.All(buffer[20..], b => Assert.Equal(0xAA, b));
    }

    [Fact]
    public void ComputeDigest_ShortSpan_Throws()
    {
        var authenticator = new CarpAuthenticator("secret", Vip);

        Assert.Throws<ArgumentException>(() => authenticator.ComputeDigest(42, 1, new byte[19]));
    }

    [Fact]
    public void Verify_CapturedDigest_True()
    {
        var captured = CapturedPackets.LoneMaster;
        var authenticator = new CarpAuthenticator(captured.Password, captured.Vip);

        Assert.True(authenticator.Verify(captured.Vhid, captured.Counter, captured.Digest));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(19)]
    public void Verify_OneByteChanged_False(int index)
    {
        var captured = CapturedPackets.LoneMaster;
        var authenticator = new CarpAuthenticator(captured.Password, captured.Vip);
        var digest = (byte[])captured.Digest.Clone();
        digest[index] ^= 0x01;

        Assert.False(authenticator.Verify(captured.Vhid, captured.Counter, digest));
    }

    [Fact]
    public void Verify_OtherCounterOrVhid_False()
    {
        var captured = CapturedPackets.LoneMaster;
        var authenticator = new CarpAuthenticator(captured.Password, captured.Vip);

        Assert.False(authenticator.Verify(captured.Vhid, captured.Counter + 1, captured.Digest));
        Assert.False(authenticator.Verify((byte)(captured.Vhid + 1), captured.Counter, captured.Digest));
    }

    [Fact]
    public void Verify_WrongLength_False()
    {
        var captured = CapturedPackets.LoneMaster;
        var authenticator = new CarpAuthenticator(captured.Password, captured.Vip);

        Assert.False(authenticator.Verify(captured.Vhid, captured.Counter, captured.Digest.AsSpan(0, 19)));
        Assert.False(authenticator.Verify(captured.Vhid, captured.Counter, [.. captured.Digest, 0]));
    }

    [Fact]
    public void Verify_OtherVip_False()
    {
        var captured = CapturedPackets.LoneMaster;
        var authenticator = new CarpAuthenticator(captured.Password, IPAddress.Parse("198.18.0.101"));

        Assert.False(authenticator.Verify(captured.Vhid, captured.Counter, captured.Digest));
    }

    [Fact]
    public void Constructor_NineteenBytePassword_KeyIsRawBytes()
    {
        var password = "abcdefghijklmnopqrs";
        Assert.Equal(19, password.Length);
        var authenticator = new CarpAuthenticator(password, Vip);
        var digest = new byte[20];

        authenticator.ComputeDigest(5, 0x0102030405060708, digest);

        byte[] message = [2, 1, 5, 198, 18, 0, 100, 1, 2, 3, 4, 5, 6, 7, 8];
        Assert.Equal(HMACSHA1.HashData(Encoding.ASCII.GetBytes(password), message), digest);
    }

    [Fact]
    public void Constructor_NineteenUtf8Bytes_Accepted()
    {
        var password = string.Concat(Enumerable.Repeat("é", 9)) + "a"; // 9 x 2 + 1 = 19 bytes
        var authenticator = new CarpAuthenticator(password, Vip);
        var digest = new byte[20];

        authenticator.ComputeDigest(1, 0, digest);

        byte[] message = [2, 1, 1, 198, 18, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal(HMACSHA1.HashData(Encoding.UTF8.GetBytes(password), message), digest);
    }

    [Theory]
    [InlineData("abcdefghijklmnopqrst")] // 20 ASCII bytes
    [InlineData("éééééééééé")] // 10 characters, 20 UTF-8 bytes
    [InlineData("")]
    [InlineData("pw\0123")]
    public void Constructor_PasswordOutsideUcarpLimits_ThrowsWithClearMessage(string password)
    {
        var ex = Assert.Throws<ArgumentException>(() => new CarpAuthenticator(password, Vip));

        Assert.Equal("password", ex.ParamName);
        Assert.Contains("password", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Constructor_TwentyBytePassword_MessageNamesLimitAndLength()
    {
        var ex = Assert.Throws<ArgumentException>(() => new CarpAuthenticator("abcdefghijklmnopqrst", Vip));

        Assert.Contains("19", ex.Message, StringComparison.Ordinal);
        Assert.Contains("20 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_Ipv6Vip_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new CarpAuthenticator("secret", IPAddress.IPv6Loopback));

        Assert.Equal("virtualAddress", ex.ParamName);
    }
}
