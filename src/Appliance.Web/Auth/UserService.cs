using Appliance.Web.Services;
using Appliance.Web.Storage;
using Microsoft.AspNetCore.Identity;

namespace Appliance.Web.Auth;

public sealed record UserDto(string UserName, DateTimeOffset CreatedAt);

/// <summary>Users and their passwords, hashed with ASP.NET Core Identity's PBKDF2 <see cref="PasswordHasher{TUser}"/>.</summary>
public sealed class UserService(IApplianceStore store, TimeProvider timeProvider, AuditService audit, SessionRevoker sessions, InitialAdminPassword initialPassword)
{
    public const string AdminUserName = "admin";
    public const int MinPasswordLength = 8;

    private static readonly StoredUser HashContext = new();
    private readonly PasswordHasher<StoredUser> _hasher = new();
    private readonly Lazy<string> _dummyHash = new(() => new PasswordHasher<StoredUser>().HashPassword(HashContext, "not a real password"));

    public bool HasUsers => store.Users.Count() > 0;

    public IReadOnlyList<UserDto> List() => store.Users.GetAll().Select(u => new UserDto(u.UserName, u.CreatedAt)).ToList();

    /// <summary>True when the user exists and the password matches. Unknown users cost the same hash time.</summary>
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
        return result != PasswordVerificationResult.Failed;
    }

    public ServiceResult<UserDto> Create(string? userName, string? password, string actor)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(userName) || userName.Length > 64 || userName.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            errors.Add("username", "The username is required: 1 to 64 characters, no spaces.");
        }
        else if (store.Users.Find(userName) is not null)
        {
            errors.Add("username", $"The user '{userName}' already exists.");
        }
        CheckPassword(errors, "password", password);
        if (!errors.IsEmpty)
        {
            return ServiceResult<UserDto>.Invalid(errors.ToDictionary());
        }
        var user = new StoredUser { UserName = userName!, CreatedAt = timeProvider.GetUtcNow(), SecurityStamp = SessionRevoker.NewStamp() };
        user.PasswordHash = _hasher.HashPassword(user, password!);
        store.Users.Insert(user);
        audit.Record(actor, "user.create", user.UserName, []);
        return ServiceResult<UserDto>.Ok(new UserDto(user.UserName, user.CreatedAt));
    }

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
        return ServiceResult<UserDto>.Ok(new UserDto(user.UserName, user.CreatedAt));
    }

    public static void CheckPassword(ValidationErrors errors, string field, string? password)
    {
        if (password is null || password.Length < MinPasswordLength)
        {
            errors.Add(field, $"The password must have at least {MinPasswordLength} characters.");
        }
    }
}
