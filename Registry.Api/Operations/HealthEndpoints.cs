using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Registry.Api.Operations;

/// <summary>Liveness and readiness probes for orchestrators and load balancers.</summary>
public static class HealthEndpoints
{
    /// <summary>Checks with this tag decide readiness (database, blob store).</summary>
    public const string ReadyTag = "ready";

    public static void MapRegistryHealth(this IEndpointRouteBuilder app)
    {
        // Alive: the process serves requests. Dependencies are /readyz's business, so a database outage
        // takes replicas out of rotation without an orchestrator restarting them.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        // Ready: every dependency answers; 503 with the failing checks otherwise.
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync });
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new { status = entry.Value.Status.ToString().ToLowerInvariant(), error = entry.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
