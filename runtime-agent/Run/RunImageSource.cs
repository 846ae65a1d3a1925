namespace RuntimeAgent.Run;

/// <summary>TEMPORARY until the image store lands: a directory path stands for a one-layer image.</summary>
internal static class RunImageSource
{
    public static Task<RunnableImage> ResolveAsync(string root, string reference, CancellationToken cancellation) =>
        Directory.Exists(reference)
            ? Task.FromResult(new RunnableImage([Path.GetFullPath(reference)], ImageRunConfig.Empty with { Cmd = ["/bin/sh"] }))
            : throw new ContainerSetupException($"image {reference} not found");
}
