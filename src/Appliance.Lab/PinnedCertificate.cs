using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Lab;

/// <summary>
/// Trust exactly the certificate a lab node's `appliance serve` generated (DIR/https.pfx), by its SHA-256 fingerprint:
/// no validation is switched off, and no other certificate is accepted. The file is read once it exists (the node
/// writes it at start), so a client can be created before the node.
/// </summary>
public sealed class PinnedCertificate(string pfxPath)
{
    private string? _fingerprint;

    /// <summary>Colon hex, upper case (as openssl and the node's log print it); null until the node wrote the file.</summary>
    public string? Fingerprint
    {
        get
        {
            if (_fingerprint is null && File.Exists(pfxPath))
            {
                try
                {
                    using var certificate = X509CertificateLoader.LoadPkcs12FromFile(pfxPath, password: null, X509KeyStorageFlags.EphemeralKeySet);
                    _fingerprint = Sha256(certificate.RawData);
                }
                catch (Exception ex) when (ex is IOException or CryptographicException)
                {
                    // Being written: read again on the next connection.
                }
            }
            return _fingerprint;
        }
    }

    /// <summary>For <see cref="NetnsSocketFactory.CreateHttpClient"/>.</summary>
    public RemoteCertificateValidationCallback Validate => (_, certificate, _, _) =>
        certificate is not null && Fingerprint is { } pinned && Sha256(certificate.GetRawCertData()) == pinned;

    private static string Sha256(byte[] der) => string.Join(':', Convert.ToHexString(SHA256.HashData(der)).Chunk(2).Select(pair => new string(pair)));
}
