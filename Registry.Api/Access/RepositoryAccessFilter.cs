using Registry.Api.Errors;
using Registry.Api.Events;
using Registry.Api.Routing;
using Registry.Oci;

namespace Registry.Api.Access;

/// <summary>
/// Runs before every repository endpoint: refuses invalid names (NAME_INVALID) and asks the
/// <see cref="IRegistryAccessPolicy"/> for the action the method implies; an allowed caller becomes the scope's
/// <see cref="Registry.Storage.Events.EventOrigin"/> (who the events of this request name).
/// </summary>
public sealed class RepositoryAccessFilter(IRegistryAccessPolicy policy) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var route = await OciRoute.BindAsync(context);
        if (route is null) return await next(invocation);
        if (!RepositoryName.IsValid(route.Name)) return OciError.NameInvalid(route.Name);
        var action = context.Request.Method switch
        {
            "GET" or "HEAD" => RegistryAction.Pull,
            "DELETE" => RegistryAction.Delete,
            _ => RegistryAction.Push,
        };
        if (await policy.AuthorizeAsync(context, route.Name, action) is { } refusal) return refusal;
        await EventOriginBinder.BindAsync(context);
        return await next(invocation);
    }
}
