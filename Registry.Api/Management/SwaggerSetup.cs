using Microsoft.OpenApi;

namespace Registry.Api.Management;

/// <summary>Swashbuckle for the management API at <c>/swagger</c>, with the bearer scheme (tokens from /token) and Basic.</summary>
public static class SwaggerSetup
{
    public static IServiceCollection AddManagementSwagger(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Registry management API", Version = "v1",
                Description = "Organizations, teams, members, robots, personal tokens, repositories and the audit log. "
                    + "Authenticate with a bearer token from GET /token (Basic credentials) or with Basic credentials directly.",
            });
            // Only the management API: /v2 is the OCI distribution spec, documented there.
            swagger.DocInclusionPredicate((_, api) => api.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true);
            swagger.AddSecurityDefinition("bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
                Description = "A token from GET /token (any scope; the identity is what counts here).",
            });
            swagger.OperationFilter<Paging.ListPagingOperationFilter>();
            swagger.AddSecurityDefinition("basic", new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "basic" });
            swagger.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference("bearer", document)] = [],
                [new OpenApiSecuritySchemeReference("basic", document)] = [],
            });
        });
        return services;
    }

    public static WebApplication UseManagementSwagger(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI(ui => ui.SwaggerEndpoint("/swagger/v1/swagger.json", "Registry management API v1"));
        return app;
    }
}
