using Appliance.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Appliance.Web.Api;

/// <summary>
/// The OpenAPI document (GET /openapi/v1.json) and its human view (GET /api/docs/, Scalar), both behind the login.
/// Every operation gets its operationId and summary from <see cref="Describe"/>; the problem-details
/// responses follow from the route itself, here and not per route: 401 where a login is required, 400
/// where a body is read, 404 where the path has a parameter, 429 where the login rate limit applies.
/// 403 where a login is required: a role or token scope below the route's (problem details with requiredRole or requiredScope).
/// /metrics is served by OpenTelemetry's exporter (not a route handler), so its operation is written here by hand.
/// </summary>
public static class ApiDocumentation
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/api/docs";

    /// <summary>The security scheme names in the document's components.</summary>
    public const string BearerScheme = "bearer";
    public const string CookieScheme = "cookie";

    private const string ProblemContentType = "application/problem+json";

    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["Auth"] = "Logging in for automation.",
        ["Tokens"] = "Named, revocable API tokens.",
        ["Users"] = "Users and passwords.",
        ["VHIDs"] = "The VHID configuration, applied live, and persistent maintenance.",
        ["Import"] = "An existing ucarp setup into the store.",
        ["Status"] = "The engine's live view.",
        ["History"] = "State transitions and demotions.",
        ["Audit"] = "Who changed what.",
        ["Settings"] = "Runtime settings.",
        ["Health"] = "For load balancers and container health checks.",
        ["Metrics"] = "Prometheus scraping.",
    };

    public static IServiceCollection AddApiDocumentation(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                Describe(document);
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                if (RequiredRole(context.Description.ActionDescriptor.EndpointMetadata) is { } role)
                {
                    operation.Description = $"Requires the {role.Name()} role (token scope `{role.ScopeName()}`).";
                }
                // Either scheme; an anonymous operation says so with an empty list.
                operation.Security = context.Description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any()
                    ? []
                    :
                    [
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] },
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(CookieScheme, context.Document)] = [] },
                    ];
                return Task.CompletedTask;
            });
        });

    public static IEndpointRouteBuilder MapApiDocumentation(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi().RequireAuthorization(AppliancePolicies.Viewer);
        // The assets are served from the package; nothing is fetched from Scalar's servers.
        endpoints.MapScalarApiReference(ReferencePath, o => o
            .WithTitle("Appliance API")
            .WithOpenApiRoutePattern(DocumentPath)
            .DisableDefaultFonts()
            .DisableTelemetry()
            // Its toolbar offers to share the document through Scalar's servers: not from an appliance.
            .HideDeveloperTools()
            .DisableAgent()
            .DisableMcp())
            // Scalar lets its script and icon through anonymously; here everything under the reference needs the login.
            .RequireAuthorization(AppliancePolicies.Viewer)
            .Finally(RemoveAllowAnonymous);
        return endpoints;
    }

    /// <summary>The operationId and summary of one operation, and the problem responses its route implies.</summary>
    public static RouteHandlerBuilder Describe(this RouteHandlerBuilder route, string operationId, string summary)
    {
        route.WithName(operationId).WithSummary(summary);
        // Last, so that AllowAnonymous, rate limiting and the handler's own result types are all known.
        route.Finally(AddProblemResponses);
        return route;
    }

    private static void Describe(OpenApiDocument document)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Appliance API",
            Version = "v1",
            Description = "CARP failover appliance: VHID configuration, live status, history, audit, users and tokens.",
        };
        foreach (var tag in document.Tags ?? Enumerable.Empty<OpenApiTag>())
        {
            tag.Description ??= TagDescriptions.GetValueOrDefault(tag.Name ?? "");
        }
        // The server is the address the document was fetched from; Redocly wants it without the trailing slash.
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A token from POST /api/auth/token or POST /api/tokens: `Authorization: Bearer apl_...`.",
        };
        document.Components.SecuritySchemes[CookieScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Cookie,
            Name = AuthSchemes.CookieName,
            Description = "The dashboard's login cookie (POST /account/login).",
        };
        document.Paths ??= [];
        document.Paths[MetricsPath] = MetricsOperation(document);
    }

    public const string MetricsPath = "/metrics";

    /// <summary>GET /metrics as the exporter serves it: Prometheus text, behind the login like every other route.</summary>
    private static OpenApiPathItem MetricsOperation(OpenApiDocument document)
    {
        OpenApiResponse Problem(string description) => new()
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ProblemContentType] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", document) },
            },
        };
        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = "getMetrics",
                    Summary = "Prometheus metrics",
                    Description = "The meter \"Appliance\" in the Prometheus text exposition format (names and labels: README, Metrics).",
                    Tags = new HashSet<OpenApiTagReference> { new("Metrics", document) },
                    Security =
                    [
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] },
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(CookieScheme, document)] = [] },
                    ],
                    Responses = new OpenApiResponses
                    {
                        ["200"] = new OpenApiResponse
                        {
                            Description = "OK",
                            Content = new Dictionary<string, OpenApiMediaType>
                            {
                                ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                            },
                        },
                        ["401"] = Problem("Unauthorized"),
                        ["403"] = Problem("Forbidden"),
                    },
                },
            },
        };
    }

    /// <summary>The highest role among the endpoint's policies (<see cref="AppliancePolicies"/>); null when anonymous.</summary>
    private static ApplianceRole? RequiredRole(IList<object> metadata) =>
        metadata.OfType<IAllowAnonymous>().Any()
            ? null
            : Enum.GetValues<ApplianceRole>()
                .Where(r => metadata.OfType<IAuthorizeData>().Any(a => a.Policy == AppliancePolicies.For(r)))
                .Select(r => (ApplianceRole?)r)
                .Max();

    private static void RemoveAllowAnonymous(EndpointBuilder endpoint)
    {
        for (var i = endpoint.Metadata.Count - 1; i >= 0; i--)
        {
            if (endpoint.Metadata[i] is IAllowAnonymous)
            {
                endpoint.Metadata.RemoveAt(i);
            }
        }
    }

    private static void AddProblemResponses(EndpointBuilder endpoint)
    {
        var declared = endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Select(m => m.StatusCode).ToHashSet();
        if (!endpoint.Metadata.OfType<IAllowAnonymous>().Any())
        {
            AddProblem(endpoint, StatusCodes.Status401Unauthorized);
            AddProblem(endpoint, StatusCodes.Status403Forbidden);
        }
        // A validation problem (with its errors) is already declared by the handler; a body that does not parse is a plain one.
        if (!declared.Contains(StatusCodes.Status400BadRequest) && endpoint.Metadata.OfType<IAcceptsMetadata>().Any())
        {
            AddProblem(endpoint, StatusCodes.Status400BadRequest);
        }
        // Replaces a bare NotFound: the status code pages write problem details for it.
        if (declared.Contains(StatusCodes.Status404NotFound) || endpoint is RouteEndpointBuilder { RoutePattern.Parameters.Count: > 0 })
        {
            AddProblem(endpoint, StatusCodes.Status404NotFound);
        }
        if (endpoint.Metadata.OfType<EnableRateLimitingAttribute>().Any())
        {
            AddProblem(endpoint, StatusCodes.Status429TooManyRequests);
        }
    }

    private static void AddProblem(EndpointBuilder endpoint, int statusCode) =>
        endpoint.Metadata.Add(new ProducesResponseTypeMetadata(statusCode, typeof(ProblemDetails), [ProblemContentType]));
}
