namespace Appliance.Engine.Configuration;

/// <summary>The inclusive range of a whole-number VHID setting and the value it takes when not given.</summary>
public sealed record VhidLimit(VhidField Field, int Min, int Max, int? Default = null)
{
    /// <summary>"must be between 0 and 254 (got '255')": the same words for a number out of range and for text that is no number.</summary>
    public string Problem(string given) => $"must be between {Min} and {Max} (got '{given}')";

    public override string ToString() => $"{Min}-{Max}";
}
