using Microsoft.AspNetCore.Authorization;

namespace Appliance.Web.Auth;

/// <summary>Authorization policy names, one per role; every endpoint names one of them or AllowAnonymous.</summary>
public static class AppliancePolicies
{
    public const string Viewer = "Viewer";
    public const string Operator = "Operator";
    public const string Admin = "Admin";

    public static string For(ApplianceRole role) => role switch
    {
        ApplianceRole.Viewer => Viewer,
        ApplianceRole.Operator => Operator,
        _ => Admin,
    };

    public static AuthorizationBuilder AddAppliancePolicies(this AuthorizationBuilder builder)
    {
        foreach (var role in Enum.GetValues<ApplianceRole>())
        {
            builder.AddPolicy(For(role), p => p
                .AddAuthenticationSchemes(AuthSchemes.Combined)
                .RequireAuthenticatedUser()
                .AddRequirements(new RoleRequirement(role)));
        }
        return builder;
    }
}

/// <summary>The principal's effective right is at least <see cref="Role"/>.</summary>
public sealed class RoleRequirement(ApplianceRole role) : AuthorizationHandler<RoleRequirement>, IAuthorizationRequirement
{
    public ApplianceRole Role { get; } = role;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleRequirement requirement)
    {
        if (context.User.IsAtLeast(requirement.Role))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}
