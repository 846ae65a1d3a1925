using System.Net;
using Registry.Api.Events.Delivery;
using Registry.Api.Policies;
using Registry.Auth.Permissions;

namespace Registry.Api.Replication;

/// <summary>What is wrong with a replication rule, said so that the caller can fix it; null when it is fine.</summary>
public static class ReplicationValidation
{
    public static string? Problem(ReplicationRequest? request, OutboundGuard guard)
    {
        if (request is null) return "the body is {\"repositories\":\"app/*\",\"tags\":\"v*\",\"target\":\"https://other:5000\",…}";
        if (!RepositoryPattern.TryParse(request.Repositories, out _))
            return $"invalid repositories pattern '{request.Repositories}': lower-case letters, digits, . _ - / and *";
        if (request.Tags is not null && !PolicyEndpoints.IsTagPattern(request.Tags))
            return $"invalid tags pattern '{request.Tags}': letters, digits, . _ - and *, at most 128";
        if (!Uri.TryCreate(request.Target, UriKind.Absolute, out var target) || target.Scheme is not ("http" or "https")
            || target.UserInfo.Length > 0 || target.Query.Length > 0 || target.Fragment.Length > 0 || target.AbsolutePath != "/")
            return $"invalid target '{request.Target}': an http(s) registry address such as https://other-site:5000 (no path, no credentials in it)";
        if (IPAddress.TryParse(target.Host.Trim('[', ']'), out var literal) && guard.IsDenied(literal))
            return $"target '{target.Host}' is in a denied network (Registry:Events:DeniedNetworks)";
        var prefix = request.TargetRepositoryPrefix ?? "";
        if (prefix.Length > 0 && (prefix.Length > 128 || !prefix.EndsWith('/') || prefix.StartsWith('/') || prefix.Contains("//")
            || !prefix.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '_' or '-' or '/')))
            return $"invalid targetRepositoryPrefix '{prefix}': lower-case path components ending with '/', e.g. mirror/";
        if (request.Password is not null && request.Username is null) return "a password needs a username";
        if (request.Username is { Length: 0 or > 255 }) return "username must be 1 to 255 characters";
        return null;
    }
}
