using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text;

namespace Appliance.Engine.Diagnostics;

/// <summary>
/// ToString for records that hold a secret: the record's own format ("Name { A = 1, B = x }") with every secret
/// shown as "***". A record writes <c>public override string ToString() => Redaction.Print(this);</c>, so fields
/// added later are printed (and redacted by name) without touching it again.
/// </summary>
public static class Redaction
{
    public const string Mask = "***";

    /// <summary>
    /// A secret by its name: Password, Passphrase or Secret anywhere in it (PasswordHash, CurrentPassword), or ending in
    /// Token, Hash or Key (ApiKey, PrivateKey). The bare Key of a VHID ("eth0/42") is its name, not a key.
    /// </summary>
    public static bool IsSecretName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Contains("Password", StringComparison.OrdinalIgnoreCase)
            || name.Contains("Passphrase", StringComparison.OrdinalIgnoreCase)
            || name.Contains("Secret", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith("Token", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith("Hash", StringComparison.OrdinalIgnoreCase)
            || (name.EndsWith("Key", StringComparison.OrdinalIgnoreCase) && !name.Equals("Key", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>"TypeName { Property = value, Secret = ***, ... }": public instance properties in declaration order.</summary>
    public static string Print<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(T value)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = new StringBuilder(typeof(T).Name).Append(" {");
        var first = true;
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetMethod is null || property.GetIndexParameters().Length > 0 || property.Name == "EqualityContract")
            {
                continue;
            }
            text.Append(first ? " " : ", ").Append(property.Name).Append(" = ");
            first = false;
            var member = property.GetValue(value);
            if (member is not null)
            {
                text.Append(IsSecretName(property.Name) ? Mask : member.ToString());
            }
        }
        return text.Append(first ? "}" : " }").ToString();
    }
}
