using System.Text.Json;
using Registry.Api.Manifests;
using Registry.Api.Policies;
using Registry.Api.Routing;
using Registry.Storage.Metadata;

namespace Registry.Api.Ui.Data;

/// <summary>
/// Deletes a tag or a manifest through the /v2 DELETE handler itself, so the UI honours exactly what the API does
/// (immutable tag rules, caches, usage accounting). Null when it was deleted, else the API's error message.
/// </summary>
public sealed class RegistryDeletion(IMetadataStore metadata, ManifestTagCache cache, RepositoryPolicies policies)
{
    public async Task<string?> DeleteAsync(string repository, string reference, CancellationToken cancellationToken) =>
        (await DeleteWithStatusAsync(repository, reference, cancellationToken)).Error;

    /// <summary>The /v2 handler's status (202 deleted, 403 immutable, 404 unknown, …) and, unless it succeeded, its message.</summary>
    public async Task<(int Status, string? Error)> DeleteWithStatusAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        var result = await ManifestEndpoints.DeleteManifest(new OciRoute(OciRouteKind.Manifest, repository, reference), metadata, cache, policies, cancellationToken);
        var status = (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status500InternalServerError;
        return status is >= 200 and < 300 ? (status, null) : (status, MessageOf(result) ?? "the registry refused the delete");
    }

    // The OCI error envelope: {"errors":[{"code","message"}]}.
    private static string? MessageOf(IResult result)
    {
        if (result is not IValueHttpResult { Value: { } value }) return null;
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(value, value.GetType()));
        return json.RootElement.TryGetProperty("errors", out var errors) && errors.GetArrayLength() > 0
            && errors[0].TryGetProperty("message", out var message) ? message.GetString() : null;
    }
}
