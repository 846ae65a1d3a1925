using Registry.Api.Events;
using Registry.Api.Policies;
using Registry.Api.Policies.Retention;
using Registry.Api.Replication;

namespace Registry.Api.Management;

/// <summary>The management API under <c>/api/v1</c>: every route requires an authenticated user.</summary>
public static class ManagementEndpoints
{
    public static RouteGroupBuilder MapManagementApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Management");
        api.AddEndpointFilter<ManagementAuthFilter>();
        api.DeclareManagementResponses();
        api.MapUsers().MapOrganizations().MapTeams().MapRobots().MapPersonalTokens().MapRepositoryTags().MapRepositories().MapAudit().MapGarbageCollection()
            .MapPolicies().MapRetention().MapReplications().MapWebhooks();
        return api;
    }
}
