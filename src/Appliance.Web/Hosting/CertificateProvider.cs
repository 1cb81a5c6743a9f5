using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Web.Hosting;

/// <summary>Section Appliance:Certificate: one's own HTTPS certificate instead of the generated one.</summary>
public sealed class CertificateOptions
{
    /// <summary>A PKCS#12 (.pfx/.p12) file, or a PEM certificate (with <see cref="KeyPath"/>, or the key in the same file).</summary>
    public string? Path { get; set; }

    /// <summary>The pfx's password (or the PEM key's, when encrypted).</summary>
    public string? Password { get; set; }

    /// <summary>The PEM private key beside a PEM certificate.</summary>
    public string? KeyPath { get; set; }
}

/// <summary>The HTTPS certificate Kestrel serves (null on a plain-HTTP node) and where it came from.</summary>
public sealed class ServerCertificate
{
    public X509Certificate2? Certificate { get; internal set; }

    /// <summary>The file it was read from or written to.</summary>
    public string? Source { get; internal set; }

    /// <summary>True when the node generated it (self-signed).</summary>
    public bool Generated { get; internal set; }

    public string? Fingerprint => Certificate is { } certificate ? CertificateProvider.Fingerprint(certificate) : null;
}

/// <summary>
/// Loads or creates the HTTPS certificate when a URL is https://: Appliance:Certificate:Path (pfx, or PEM with
/// KeyPath) when set; otherwise DIR/https.pfx, generated (self-signed ECDSA P-256, two years, serverAuth, SANs for
/// the node's names and addresses) when missing or unusable, written 0600 from the start.
/// </summary>
public static class CertificateProvider
{
    public const string FileName = "https.pfx";
    public const string PathKey = ApplianceOptions.SectionName + ":Certificate:Path";
    public static readonly TimeSpan Validity = TimeSpan.FromDays(730);

    /// <summary>SHA-256 of the DER certificate as openssl prints it: upper-case hex pairs joined by colons.</summary>
    public static string Fingerprint(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return string.Join(':', SHA256.HashData(certificate.RawData).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>Fills <paramref name="target"/>; one <see cref="ApplianceConfigurationException"/> line on a bad own certificate.</summary>
    public static void Load(ApplianceOptions options, ServerCertificate target, ILogger logger, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(target);
        if (!options.UrlList.Any(IsHttps))
        {
            return;
        }
        if (EnvironmentSettings.NonEmpty(options.Certificate.Path) is { } own)
        {
            target.Certificate = LoadOwn(own, options.Certificate);
            target.Source = System.IO.Path.GetFullPath(own);
        }
        else
        {
            var directory = System.IO.Path.GetFullPath(options.DataDirectory);
            var path = System.IO.Path.Combine(directory, FileName);
            target.Certificate = LoadGenerated(path, clock) ?? Generate(path, options, clock);
            target.Source = path;
            target.Generated = true;
        }
        logger.LogInformation(
            "HTTPS certificate {Subject} from {Source}, valid until {NotAfter:yyyy-MM-dd}, SHA-256 fingerprint {Fingerprint}",
            target.Certificate.Subject, target.Source, target.Certificate.NotAfter.ToUniversalTime(), Fingerprint(target.Certificate));
    }

    public static bool IsHttps(string url) => url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    private static X509Certificate2 LoadOwn(string path, CertificateOptions options)
    {
        var field = PathKey;
        try
        {
            X509Certificate2 certificate;
            if (EnvironmentSettings.NonEmpty(options.KeyPath) is { } keyPath)
            {
                field = $"{ApplianceOptions.SectionName}:Certificate:KeyPath";
                certificate = options.Password is { Length: > 0 } password
                    ? X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath)
                    : X509Certificate2.CreateFromPemFile(path, keyPath);
            }
            else if (File.ReadAllText(path).Contains("-----BEGIN", StringComparison.Ordinal))
            {
                certificate = X509Certificate2.CreateFromPemFile(path);
            }
            else
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(path, options.Password, X509KeyStorageFlags.EphemeralKeySet);
            }
            if (!certificate.HasPrivateKey)
            {
                throw new CryptographicException("the file holds no private key (give Appliance:Certificate:KeyPath)");
            }
            return certificate;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new ApplianceConfigurationException([$"{field}: cannot load the HTTPS certificate '{path}': {ex.Message}"]);
        }
    }

    /// <summary>DIR/https.pfx when it holds a key and is still valid for a day; null to generate a new one.</summary>
    private static X509Certificate2? LoadGenerated(string path, TimeProvider clock)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password: null, X509KeyStorageFlags.EphemeralKeySet);
            var now = clock.GetUtcNow();
            if (certificate.HasPrivateKey && certificate.NotBefore.ToUniversalTime() <= now.UtcDateTime && certificate.NotAfter.ToUniversalTime() > now.AddDays(1).UtcDateTime)
            {
                return certificate;
            }
            certificate.Dispose();
        }
        catch (CryptographicException)
        {
            // Unreadable: replaced below.
        }
        return null;
    }

    private static X509Certificate2 Generate(string path, ApplianceOptions options, TimeProvider clock)
    {
        var hostName = Dns.GetHostName();
        var names = new SortedSet<string>(StringComparer.OrdinalIgnoreCase) { hostName, "localhost" };
        if (EnvironmentSettings.NonEmpty(options.NodeName) is { } node && Uri.CheckHostName(node) == UriHostNameType.Dns)
        {
            names.Add(node);
        }
        var addresses = new List<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback };
        foreach (var url in options.UrlList)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address)
                && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any) && !addresses.Contains(address))
            {
                addresses.Add(address);
            }
            else if (uri is { HostNameType: UriHostNameType.Dns })
            {
                names.Add(uri.Host);
            }
        }
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            san.AddDnsName(name);
        }
        foreach (var address in addresses)
        {
            san.AddIpAddress(address);
        }
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={EscapeCn(options.NodeName is { Length: > 0 } n ? n : hostName)}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(san.Build());
        var now = clock.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.Add(Validity));
        var pfx = created.Export(X509ContentType.Pkcs12);
        Write(path, pfx);
        return X509CertificateLoader.LoadPkcs12(pfx, password: null, X509KeyStorageFlags.EphemeralKeySet);
    }

    private static string EscapeCn(string name) => name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(",", "\\,", StringComparison.Ordinal)
        .Replace("+", "\\+", StringComparison.Ordinal).Replace("=", "\\=", StringComparison.Ordinal);

    /// <summary>A fresh file, 0600 from its creation (the key is never readable by others, not even briefly).</summary>
    private static void Write(string path, byte[] content)
    {
        var directory = System.IO.Path.GetDirectoryName(path)!;
        var temporary = path + ".new";
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
                File.WriteAllBytes(temporary, content);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                File.Delete(temporary);
                using var stream = new FileStream(temporary, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ApplianceConfigurationException(
                [$"{ApplianceOptions.SectionName}:{nameof(ApplianceOptions.DataDirectory)} (--data, APPLIANCE_DATA): cannot write the HTTPS certificate '{path}': {ex.Message}"]);
        }
    }
}
