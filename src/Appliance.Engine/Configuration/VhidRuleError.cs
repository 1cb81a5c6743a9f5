namespace Appliance.Engine.Configuration;

/// <summary>
/// One broken rule: the field it belongs to, a second field when the rule is about a combination, and the
/// problem in words that follow the field's name ("must be between 1 and 255 (got '300')").
/// </summary>
public sealed record VhidRuleError(VhidField Field, string Problem, VhidField? Also = null)
{
    /// <summary>The whole message with the fields spelled as the entry point spells them.</summary>
    public string Format(Func<VhidField, string> name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Also is { } also ? $"{name(Field)} and {name(also)} {Problem}" : $"{name(Field)} {Problem}";
    }
}
