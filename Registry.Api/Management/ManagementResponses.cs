using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Registry.Api.Management;

/// <summary>
/// Declares the responses of every /api/v1 operation in one place, for Swagger and clients: the problem details any
/// of them may answer (400 bad input, 401 no or bad credentials, 403 not allowed, 404 not there or not visible,
/// 409 conflict, 429 too many failed logins) and, unless the operation declares its own, the success status its
/// method answers (201 for POST, 204 for DELETE, 200 otherwise).
/// </summary>
public static class ManagementResponses
{
    private static readonly int[] Problems = [400, 401, 403, 404, 409, 429];

    public static TBuilder DeclareManagementResponses<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Finally(Declare); // after the endpoint's own Produces, so those win
        return builder;
    }

    private static void Declare(EndpointBuilder endpoint)
    {
        var declared = endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Select(m => m.StatusCode).ToHashSet();
        if (!declared.Any(status => status is >= 200 and < 300))
        {
            var method = endpoint.Metadata.OfType<IHttpMethodMetadata>().FirstOrDefault()?.HttpMethods.FirstOrDefault();
            endpoint.Metadata.Add(new ProducesResponseTypeAttribute(method switch { "POST" => 201, "DELETE" => 204, _ => 200 }));
        }
        foreach (var status in Problems.Where(status => !declared.Contains(status)))
            endpoint.Metadata.Add(new ProducesResponseTypeAttribute(typeof(ProblemDetails), status, "application/problem+json"));
    }
}
