using Registry.Auth.Permissions;
using Registry.Auth.Data;
using static Registry.Auth.Permissions.RegistryActions;

namespace Registry.Tests.Auth.Unit;

public class AccessEvaluatorTests
{
    private static AccessSubject Member(OrganizationRole role, params NamespaceGrant[] grants) =>
        new(SubjectKind.User, "u", false, new Dictionary<string, OrganizationRole> { ["acme"] = role }, grants, All);

    private static AccessSubject Outsider => new(SubjectKind.User, "eve", false,
        new Dictionary<string, OrganizationRole> { ["other"] = OrganizationRole.Owner }, [], All);

    private static RepositoryTarget Repo(string name, RepositoryVisibility visibility) =>
        new(name, NamespaceKind.Organization, visibility);

    private static NamespaceGrant Grant(string ns, string pattern, RegistryActions actions) =>
        new(ns, RepositoryPattern.Parse(pattern), actions);

    public static TheoryData<string, RepositoryVisibility> Matrix()
    {
        var data = new TheoryData<string, RepositoryVisibility>();
        foreach (var who in PermissionMatrix.Callers)
            foreach (var visibility in PermissionMatrix.Visibilities) data.Add(who, visibility);
        return data;
    }

    internal static AccessSubject SubjectFor(string who)
    {
        // Team grants here give everything on every repository; the role caps what the member gets.
        var everything = Grant("acme", "*", All);
        return who switch
        {
            "owner" => Member(OrganizationRole.Owner),
            "maintainer" => Member(OrganizationRole.Maintainer),
            "developer" => Member(OrganizationRole.Developer),
            "reader" => Member(OrganizationRole.Reader),
            "developer+team" => Member(OrganizationRole.Developer, everything),
            "reader+team" => Member(OrganizationRole.Reader, everything),
            "outsider" => Outsider,
            "anonymous" => AccessSubject.Anonymous,
            "robot" => new(SubjectKind.Robot, "acme+ci", false, new Dictionary<string, OrganizationRole>(), [Grant("acme", "app", Pull | Push)], All),
            "admin" => new(SubjectKind.User, "root", true, new Dictionary<string, OrganizationRole>(), [], All),
            _ => throw new ArgumentOutOfRangeException(nameof(who)),
        };
    }

    [Theory, MemberData(nameof(Matrix))]
    public void RoleAndVisibilityGiveTheDocumentedActions(string who, RepositoryVisibility visibility) =>
        Assert.Equal(PermissionMatrix.Expected(who, visibility), AccessEvaluator.Evaluate(SubjectFor(who), Repo("acme/app", visibility)));

    [Fact]
    public void TeamGrantAppliesOnlyToMatchingRepositoriesOfItsOrganization()
    {
        var dev = Member(OrganizationRole.Developer, Grant("acme", "base/*", Pull | Push));
        Assert.Equal(Pull | Push, AccessEvaluator.Evaluate(dev, Repo("acme/base/debian", RepositoryVisibility.Private)));
        Assert.Equal(None, AccessEvaluator.Evaluate(dev, Repo("acme/app", RepositoryVisibility.Private)));
        Assert.Equal(None, AccessEvaluator.Evaluate(dev, Repo("other/base/debian", RepositoryVisibility.Private)));
    }

    [Fact]
    public void TeamGrantIsIgnoredWhenTheUserIsNotAMember()
    {
        var former = new AccessSubject(SubjectKind.User, "u", false, new Dictionary<string, OrganizationRole>(), [Grant("acme", "*", All)], All);
        Assert.Equal(None, AccessEvaluator.Evaluate(former, Repo("acme/app", RepositoryVisibility.Private)));
    }

    [Fact]
    public void RobotGetsOnlyItsPatternsAndNeverManage()
    {
        var robot = new AccessSubject(SubjectKind.Robot, "acme+ci", false, new Dictionary<string, OrganizationRole>(),
            [Grant("acme", "app-*", All)], All);
        Assert.Equal(Pull | Push | Delete, AccessEvaluator.Evaluate(robot, Repo("acme/app-web", RepositoryVisibility.Private)));
        Assert.Equal(None, AccessEvaluator.Evaluate(robot, Repo("acme/base", RepositoryVisibility.Internal)));
        Assert.Equal(Pull, AccessEvaluator.Evaluate(robot, Repo("other/app-web", RepositoryVisibility.Public)));
    }

    [Fact]
    public void UserOwnsTheirOwnNamespaceOnly()
    {
        var alice = new AccessSubject(SubjectKind.User, "alice", false, new Dictionary<string, OrganizationRole>(), [], All);
        Assert.Equal(All, AccessEvaluator.Evaluate(alice, new("alice/tools", NamespaceKind.User, RepositoryVisibility.Private)));
        Assert.Equal(None, AccessEvaluator.Evaluate(alice, new("bob/tools", NamespaceKind.User, RepositoryVisibility.Private)));
        Assert.Equal(None, AccessEvaluator.Evaluate(alice, new("nobody/tools", NamespaceKind.Unknown, RepositoryVisibility.Private)));
    }

    [Fact]
    public void PersonalTokenCeilingCapsEvenAnAdministrator()
    {
        var readOnlyAdmin = new AccessSubject(SubjectKind.User, "root", true, new Dictionary<string, OrganizationRole>(), [], Pull);
        Assert.Equal(Pull, AccessEvaluator.Evaluate(readOnlyAdmin, Repo("acme/app", RepositoryVisibility.Private)));
        Assert.False(AccessEvaluator.CanManageOrganization(readOnlyAdmin, "acme"));
    }

    [Theory]
    [InlineData(OrganizationRole.Owner, true, true)]
    [InlineData(OrganizationRole.Maintainer, true, false)]
    [InlineData(OrganizationRole.Developer, false, false)]
    [InlineData(OrganizationRole.Reader, false, false)]
    public void OrganizationManagementFollowsRole(OrganizationRole role, bool canManage, bool isOwner)
    {
        Assert.Equal(canManage, AccessEvaluator.CanManageOrganization(Member(role), "acme"));
        Assert.Equal(isOwner, AccessEvaluator.IsOwner(Member(role), "acme"));
        Assert.False(AccessEvaluator.CanManageOrganization(Member(role), "other"));
    }
}
