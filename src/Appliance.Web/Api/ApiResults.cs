using System.Security.Claims;
using Appliance.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Web.Api;

internal static class ApiResults
{
    /// <summary>RFC 7807 validation problem with one key per bad field.</summary>
    public static ValidationProblem Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary(e => e.Key, e => e.Value));

    /// <summary>409 problem details with the same "errors" shape as a validation problem, naming the field.</summary>
    public static ProblemHttpResult Conflict(IReadOnlyDictionary<string, string[]> errors) =>
        TypedResults.Problem(
            title: errors.Values.First()[0],
            statusCode: StatusCodes.Status409Conflict,
            extensions: new Dictionary<string, object?> { ["errors"] = errors });

    /// <summary>An optional integer query parameter: empty means null, anything else must be a number.</summary>
    public static int? OptionalInt(string? text, string field, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        if (int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        errors.Add(field, $"{field} must be a whole number (was '{text}').");
        return null;
    }

    /// <summary>The authenticated user's name, for the audit log.</summary>
    public static string Actor(this ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";
}
