namespace Appliance.Web.Services;

public enum ServiceStatus
{
    Ok,
    NotFound,
    Invalid,
    /// <summary>The input is well-formed but clashes with what is stored (a user that exists, the last admin).</summary>
    Conflict,
}

/// <summary>
/// The outcome of a service call shared by the REST API and the dashboard: a value, "no such id",
/// or validation errors keyed by the camelCase field name (the keys of RFC 7807 "errors").
/// </summary>
public sealed class ServiceResult<T>
{
    private ServiceResult(ServiceStatus status, T? value, IReadOnlyDictionary<string, string[]>? errors)
    {
        Status = status;
        Value = value;
        Errors = errors ?? new Dictionary<string, string[]>();
    }

    public ServiceStatus Status { get; }
    public T? Value { get; }
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    public static ServiceResult<T> Ok(T value) => new(ServiceStatus.Ok, value, null);
    public static ServiceResult<T> NotFound() => new(ServiceStatus.NotFound, default, null);
    public static ServiceResult<T> Invalid(IReadOnlyDictionary<string, string[]> errors) => new(ServiceStatus.Invalid, default, errors);
    public static ServiceResult<T> Conflict(IReadOnlyDictionary<string, string[]> errors) => new(ServiceStatus.Conflict, default, errors);
}
