using Microsoft.AspNetCore.Components;

namespace Registry.Api.Ui.Components.Shared;

/// <summary>
/// The base of every UI page: the request's <see cref="HttpContext"/> (pages render statically on the server) and
/// the <see cref="UiViewer"/> whose access decides what the page shows.
/// </summary>
public abstract class UiPage : ComponentBase
{
    [CascadingParameter] protected HttpContext HttpContext { get; set; } = default!;
    [Inject] protected UiViewerAccessor Viewers { get; set; } = default!;
    [Inject] protected NavigationManager Navigation { get; set; } = default!;

    protected UiViewer Viewer { get; private set; } = default!;

    protected CancellationToken Aborted => HttpContext.RequestAborted;

    protected override async Task OnInitializedAsync()
    {
        Viewer = await Viewers.GetAsync(HttpContext);
        await LoadAsync();
    }

    /// <summary>Loads the page's data once the viewer is known.</summary>
    protected abstract Task LoadAsync();

    /// <summary>Answers 404 with the not-found page (used for what does not exist and for what the viewer may not see).</summary>
    protected void NotFound() => Navigation.NotFound();
}
