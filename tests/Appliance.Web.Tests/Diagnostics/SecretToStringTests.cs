using System.Reflection;
using System.Runtime.CompilerServices;
using Appliance.Engine.Diagnostics;
using Appliance.Engine.StateMachine;
using Appliance.Web.Storage;

namespace Appliance.Web.Tests.Diagnostics;

/// <summary>
/// No type of the product prints a secret: every type in the product assemblies with a string property named like a
/// secret (<see cref="Redaction.IsSecretName"/>) is built with a known value in each of them, and its ToString()
/// (a record's generated one included) must not contain it.
/// </summary>
public sealed class SecretToStringTests
{
    private const string Secret = "Kn0wn-s3cret-value";

    private static readonly Assembly[] Product =
    [
        typeof(VhidConfig).Assembly,
        typeof(StoredUser).Assembly,
        Assembly.Load("appliance"),
    ];

    public static TheoryData<string> SecretHolders()
    {
        var data = new TheoryData<string>();
        foreach (var type in HolderTypes())
        {
            data.Add(type.AssemblyQualifiedName!);
        }
        return data;
    }

    private static IEnumerable<Type> HolderTypes() =>
        Product.SelectMany(a => a.GetTypes()).Where(HoldsSecret).OrderBy(t => t.FullName, StringComparer.Ordinal);

    private static bool HoldsSecret(Type type) =>
        type is { IsAbstract: false, IsInterface: false, IsEnum: false, ContainsGenericParameters: false }
        && !type.IsSubclassOf(typeof(Delegate))
        && !type.Name.Contains('<', StringComparison.Ordinal)
        && type.GetCustomAttribute<CompilerGeneratedAttribute>() is null
        && SecretProperties(type).Any();

    private static IEnumerable<PropertyInfo> SecretProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            .Where(p => p.PropertyType == typeof(string) && Redaction.IsSecretName(p.Name) && Writable(p));

    private static bool Writable(PropertyInfo property) => property.SetMethod is not null || BackingField(property) is not null;

    private static FieldInfo? BackingField(PropertyInfo property) =>
        property.DeclaringType!.GetField($"<{property.Name}>k__BackingField", BindingFlags.Instance | BindingFlags.NonPublic);

    [Fact]
    public void SecretHolders_IncludeTheKnownOnes()
    {
        var names = HolderTypes().Select(t => t.Name).ToHashSet();

        Assert.Superset(new HashSet<string> { "VhidConfig", "TokenRequest", "CreateUserRequest", "ChangePasswordRequest", "StoredUser", "StoredToken", "VhidInput" }, names);
    }

    [Theory]
    [MemberData(nameof(SecretHolders))]
    public void ToString_SecretSet_DoesNotPrintIt(string typeName)
    {
        var type = Type.GetType(typeName, throwOnError: true)!;
        // No constructor runs: every writable property gets a value (the secret ones the secret), the rest stays default.
        var instance = RuntimeHelpers.GetUninitializedObject(type);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance).Where(Writable))
        {
            if (property.PropertyType != typeof(string))
            {
                continue;
            }
            var value = Redaction.IsSecretName(property.Name) ? Secret : "value-of-" + property.Name;
            if (property.SetMethod is { } setter)
            {
                setter.Invoke(instance, [value]);
            }
            else
            {
                BackingField(property)!.SetValue(instance, value);
            }
        }
        var secretProperties = SecretProperties(type).ToList();
        Assert.All(secretProperties, p => Assert.Equal(Secret, p.GetValue(instance)));

        var text = instance.ToString()!;

        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Print_Record_FormatsLikeTheGeneratedOneWithSecretsMasked()
    {
        var config = new VhidConfig
        {
            Interface = "eth0", Vhid = 42, Password = Secret, VirtualAddress = System.Net.IPAddress.Parse("198.18.0.42"),
        };

        var text = config.ToString();

        Assert.StartsWith("VhidConfig { Interface = eth0, SourceAddress = , Vhid = 42, Password = ***, VirtualAddress = 198.18.0.42, PrefixLength = 32,", text);
        Assert.EndsWith(", Key = eth0/42 }", text);
    }
}
