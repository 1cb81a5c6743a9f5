using System.Security.Claims;
using Appliance.Engine.Import;
using Appliance.Web.Auth;
using Appliance.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Web.Api;

/// <summary>What POST /api/import takes: the text of a ucarp.conf or /etc/network/interfaces, and its name for the messages.</summary>
public sealed record ImportRequest(string? Text, string? SourceName);

/// <summary>The answer of POST /api/import: the created VHIDs' ids, every message, and a summary line.</summary>
public sealed record ImportResponse(IReadOnlyList<int> Created, IReadOnlyList<ImportLine> Messages, int Skipped, string Summary);

/// <summary>
/// POST /api/import: an existing ucarp setup into the store (same validation as POST /api/vhids), applied live.
/// Reads no server file: a passfile setting is a 400 on <c>passfile</c>; script paths are kept only as usable script names.
/// </summary>
public static class ImportApi
{
    public const int MaxTextLength = 1_000_000;

    public static IEndpointRouteBuilder MapImportApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/import", Import).WithTags("Import").RequireAuthorization(AppliancePolicies.Operator)
            .Describe("importUcarpConfig", "Import a ucarp configuration and apply it live");
        return endpoints;
    }

    /// <summary>
    /// The web's parse (API and dashboard): a password file is never read (<paramref name="passfileRefused"/> is set
    /// and the caller refuses the whole text with <see cref="PasswordFiles.WebRefusal"/>), and script paths become
    /// script names or are dropped (<see cref="ScriptCatalog.AdoptImportedScripts"/>).
    /// </summary>
    public static ImportResult ParseForWeb(string text, string sourceName, ScriptCatalog scripts, out bool passfileRefused)
    {
        var refused = false;
        var parsed = UcarpConfigImporter.Parse(text, sourceName, PasswordFiles.Refused(() => refused = true));
        passfileRefused = refused;
        return scripts.AdoptImportedScripts(parsed);
    }

    public static async Task<Results<Ok<ImportResponse>, ValidationProblem, ProblemHttpResult>> Import(
        ImportRequest request, VhidService vhids, ScriptCatalog scripts, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(request.Text))
        {
            errors.Add("text", "The text to import is required.");
        }
        else if (request.Text.Length > MaxTextLength)
        {
            errors.Add("text", $"The text must be at most {MaxTextLength} characters.");
        }
        var sourceName = string.IsNullOrWhiteSpace(request.SourceName) ? "import" : request.SourceName.Trim();
        if (sourceName.Length > 255 || sourceName.Any(char.IsControl))
        {
            errors.Add("sourceName", "sourceName must be at most 255 characters without control characters.");
        }
        if (!errors.IsEmpty)
        {
            return ApiResults.Invalid(errors.ToDictionary());
        }
        var parsed = ParseForWeb(request.Text!, sourceName, scripts, out var passfileRefused);
        if (passfileRefused)
        {
            // One fixed answer: nothing about the path or the file (never opened) reaches the caller.
            errors.Add("passfile", PasswordFiles.WebRefusal);
            return ApiResults.Invalid(errors.ToDictionary());
        }
        var outcome = await vhids.ImportAsync(parsed, user.Actor(), applyLive: true, cancellationToken).ConfigureAwait(false);
        var response = new ImportResponse(outcome.Created.Select(v => v.Id).ToList(), outcome.Messages, outcome.Skipped, outcome.Summary);
        if (outcome.Created.Count == 0)
        {
            return TypedResults.Problem(
                title: "Nothing could be imported.",
                detail: outcome.Summary,
                statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["messages"] = outcome.Messages, ["skipped"] = outcome.Skipped });
        }
        return TypedResults.Ok(response);
    }
}
