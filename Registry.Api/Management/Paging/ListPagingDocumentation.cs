using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Registry.Api.Management.Paging;

/// <summary>Endpoint metadata: the operation pages with <see cref="ListPage"/>, keyed by <see cref="Key"/>.</summary>
public sealed record ListPagingMetadata(string Key);

public static class ListPagingConventions
{
    /// <summary>Declares a paged list: its body (an array of <typeparamref name="T"/>) and, for Swagger, n, last and Link.</summary>
    public static RouteHandlerBuilder PagedBy<T>(this RouteHandlerBuilder builder, string key) =>
        builder.Produces<T[]>().WithMetadata(new ListPagingMetadata(key));
}

/// <summary>
/// Adds <c>n</c>, <c>last</c> and the <c>Link</c> response header to the Swagger operation of every paged list, so
/// the document says how to page without each handler repeating it (<see cref="ListPage"/> binds them itself).
/// </summary>
public sealed class ListPagingOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<ListPagingMetadata>().FirstOrDefault() is not { } paging) return;
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "n", In = ParameterLocation.Query,
            Description = $"Page size, 1 to {ListPage.MaxSize} (default {ListPage.DefaultSize}); out of range is a 400.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = ListPage.MaxSize.ToString(), Default = ListPage.DefaultSize },
        });
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "last", In = ParameterLocation.Query,
            Description = $"The {paging.Key} of the previous page's last entry; the page starts after it. Not a {paging.Key}: 400.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
        if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response)
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers["Link"] = new OpenApiHeader
            {
                Description = "RFC 8288 `<…?n=…&last=…>; rel=\"next\"` when more entries follow; absent on the last page.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }
    }
}
