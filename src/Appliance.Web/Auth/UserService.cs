using Appliance.Web.Services;
using Appliance.Web.Storage;
using Microsoft.AspNetCore.Identity;

namespace Appliance.Web.Auth;

public sealed record UserDto(string UserName, DateTimeOffset CreatedAt, string Role, bool Disabled)
{
    public static UserDto From(StoredUser user) => new(user.UserName, user.CreatedAt, ApplianceRoles.RoleOf(user).Name(), user.Disabled);
}

/// <summary>PUT /api/users/{username}: what to change; null leaves it as it is.</summary>
public sealed record UserChange(string? Role, bool? Disabled, string? Password)
{
    /// <summary>The secret shows as ***.</summary>
    public override string ToString() => Appliance.Engine.Diagnostics.Redaction.Print(this);
}

/// <summary>
/// Users, their roles and passwords, hashed with ASP.NET Core Identity's PBKDF2 <see cref="PasswordHasher{TUser}"/>.
/// There is always at least one enabled admin: a change that would leave none is refused.
/// </summary>
public sealed class UserService(IApplianceStore store, TimeProvider timeProvider, AuditService audit, SessionRevoker sessions, InitialAdminPassword initialPassword)
{
    public const string AdminUserName = "admin";
    public const int MinPasswordLength = 8;

    private static readonly StoredUser HashContext = new();
    private readonly PasswordHasher<StoredUser> _hasher = new();
    private readonly Lazy<string> _dummyHash = new(() => new PasswordHasher<StoredUser>().HashPassword(HashContext, "not a real password"));

    public bool HasUsers => store.Users.Count() > 0;

    public IReadOnlyList<UserDto> List() => store.Users.GetAll().Select(UserDto.From).ToList();

    /// <summary>The user when it exists and is enabled: only those authenticate.</summary>
    public StoredUser? FindEnabled(string? userName) =>
        string.IsNullOrEmpty(userName) ? null : store.Users.Find(userName) is { Disabled: false } user ? user : null;

    /// <summary>True when the user exists, is enabled and the password matches. Unknown users cost the same hash time.</summary>
    public bool Verify(string? userName, string? password)
    {
        if (string.IsNullOrEmpty(userName) || string.IsNullOrEmpty(password))
        {
            return false;
        }
        var user = store.Users.Find(userName);
        if (user is null)
        {
            _hasher.VerifyHashedPassword(HashContext, _dummyHash.Value, password);
            return false;
        }
        var result = _hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = _hasher.HashPassword(user, password);
            store.Users.Update(user);
        }
        return result != PasswordVerificationResult.Failed && !user.Disabled;
    }

    /// <summary>Creates a user; without a role, the least: viewer. The first user (the bootstrap) is admin.</summary>
    public ServiceResult<UserDto> Create(string? userName, string? password, string actor, string? role = null)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(userName) || userName.Length > 64 || userName.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            errors.Add("username", "The username is required: 1 to 64 characters, no spaces.");
        }
        CheckPassword(errors, "password", password);
        var parsedRole = ApplianceRole.Viewer;
        if (role is not null && !ApplianceRoles.TryParse(role, out parsedRole))
        {
            errors.Add("role", RoleMessage(role));
        }
        if (!errors.IsEmpty)
        {
            return ServiceResult<UserDto>.Invalid(errors.ToDictionary());
        }
        if (store.Users.Find(userName!) is not null)
        {
            return Conflict("username", $"The user '{userName}' already exists.");
        }
        if (!HasUsers)
        {
            parsedRole = ApplianceRole.Admin;
        }
        var user = new StoredUser { UserName = userName!, CreatedAt = timeProvider.GetUtcNow(), Role = parsedRole.Name(), SecurityStamp = SessionRevoker.NewStamp() };
        user.PasswordHash = _hasher.HashPassword(user, password!);
        store.Users.Insert(user);
        audit.Record(actor, "user.create", user.UserName, [$"role: {user.Role}"]);
        return ServiceResult<UserDto>.Ok(UserDto.From(user));
    }

    /// <summary>Changes role, disabled and/or password. Any of them ends the user's sessions at once (tokens, cookies, hub connections, circuits).</summary>
    public ServiceResult<UserDto> Update(string userName, UserChange change, string actor)
    {
        var user = store.Users.Find(userName);
        if (user is null)
        {
            return ServiceResult<UserDto>.NotFound();
        }
        var errors = new ValidationErrors();
        var role = ApplianceRoles.RoleOf(user);
        if (change.Role is not null && !ApplianceRoles.TryParse(change.Role, out role))
        {
            errors.Add("role", RoleMessage(change.Role));
        }
        if (change.Password is not null)
        {
            CheckPassword(errors, "password", change.Password);
        }
        if (!errors.IsEmpty)
        {
            return ServiceResult<UserDto>.Invalid(errors.ToDictionary());
        }
        var disabled = change.Disabled ?? user.Disabled;
        if (IsEnabledAdmin(user) && (role != ApplianceRole.Admin || disabled) && EnabledAdmins() == 1)
        {
            return Conflict(role != ApplianceRole.Admin ? "role" : "disabled", $"'{userName}' is the last enabled admin; make another user admin first.");
        }
        var changes = new List<string>();
        if (role != ApplianceRoles.RoleOf(user))
        {
            changes.Add($"role: {ApplianceRoles.RoleOf(user).Name()} -> {role.Name()}");
        }
        if (disabled != user.Disabled)
        {
            changes.Add($"disabled: {user.Disabled} -> {disabled}");
        }
        if (change.Password is not null)
        {
            user.PasswordHash = _hasher.HashPassword(user, change.Password);
            changes.Add("password: changed");
        }
        user.Role = role.Name();
        user.Disabled = disabled;
        store.Users.Update(user);
        if (change.Password is not null)
        {
            initialPassword.PasswordChanged(userName);
        }
        if (changes.Count > 0)
        {
            sessions.EndSessions(userName);
            audit.Record(actor, "user.update", userName, changes);
        }
        return ServiceResult<UserDto>.Ok(UserDto.From(user));
    }

    public ServiceResult<UserDto> Delete(string userName, string actor)
    {
        var user = store.Users.Find(userName);
        if (user is null)
        {
            return ServiceResult<UserDto>.NotFound();
        }
        if (IsEnabledAdmin(user) && EnabledAdmins() == 1)
        {
            return Conflict("username", $"'{userName}' is the last enabled admin; make another user admin first.");
        }
        store.Users.Delete(userName);
        sessions.EndSessions(userName);
        audit.Record(actor, "user.delete", userName, []);
        return ServiceResult<UserDto>.Ok(UserDto.From(user));
    }

    private static bool IsEnabledAdmin(StoredUser user) => !user.Disabled && ApplianceRoles.RoleOf(user) == ApplianceRole.Admin;

    private int EnabledAdmins() => store.Users.GetAll().Count(IsEnabledAdmin);

    private static string RoleMessage(string role) => $"role must be one of {string.Join(", ", ApplianceRoles.RoleNames)} (was '{role}').";

    private static ServiceResult<UserDto> Conflict(string field, string message) =>
        ServiceResult<UserDto>.Conflict(new Dictionary<string, string[]> { [field] = [message] });

    public ServiceResult<UserDto> ChangePassword(string userName, string? currentPassword, string? newPassword)
    {
        var errors = new ValidationErrors();
        var user = store.Users.Find(userName);
        if (user is null)
        {
            return ServiceResult<UserDto>.NotFound();
        }
        if (!Verify(userName, currentPassword))
        {
            errors.Add("currentPassword", "The current password is wrong.");
        }
        CheckPassword(errors, "newPassword", newPassword);
        if (!errors.IsEmpty)
        {
            return ServiceResult<UserDto>.Invalid(errors.ToDictionary());
        }
        user = store.Users.Find(userName)!;
        user.PasswordHash = _hasher.HashPassword(user, newPassword!);
        store.Users.Update(user);
        audit.Record(userName, "user.password", userName, ["password: changed"]);
        initialPassword.PasswordChanged(userName);
        sessions.EndSessions(userName);
        return ServiceResult<UserDto>.Ok(UserDto.From(user));
    }

    public static void CheckPassword(ValidationErrors errors, string field, string? password)
    {
        if (password is null || password.Length < MinPasswordLength)
        {
            errors.Add(field, $"The password must have at least {MinPasswordLength} characters.");
        }
    }
}
