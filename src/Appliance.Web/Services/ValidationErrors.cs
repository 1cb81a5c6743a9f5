namespace Appliance.Web.Services;

/// <summary>Collects messages per field; turns into the dictionary ValidationProblem and the UI both use.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    /// <summary>How many messages so far (to tell whether a block of checks added any).</summary>
    public int Count => _errors.Values.Sum(l => l.Count);

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            list = [];
            _errors[field] = list;
        }
        list.Add(message);
    }

    public IReadOnlyDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray(), StringComparer.Ordinal);
}
