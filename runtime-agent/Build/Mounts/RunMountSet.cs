using RuntimeAgent.Build.Context;
using RuntimeAgent.Build.Image;
using RuntimeAgent.Build.Layers;
using RuntimeAgent.Run;

namespace RuntimeAgent.Build.Mounts;

/// <summary>A RUN mount with what its <c>from=</c> names (a stage's or image's layers), or null for the build context.</summary>
internal sealed record ResolvedRunMount(RunMountSpec Spec, CopyOrigin? Origin);

/// <summary>
/// The mounts of one RUN step. Before the cache is asked, <see cref="CacheKeyContent"/> says what fixes their
/// content: a bind's files (context bytes, or the key of the stage/image it comes from). Cache, tmpfs and secret
/// mounts add nothing: a secret's id is in the instruction text, its content never reaches a key or a layer.
/// On a miss, <see cref="Prepare"/> turns them into the container spec's bind and tmpfs mounts.
/// </summary>
internal sealed class RunMountSet(IReadOnlyList<ResolvedRunMount> mounts, BuildStore store, CopyStep context,
                                  IReadOnlyDictionary<string, string> secrets, string workingDir)
{
    public static readonly RunMountSet None = new([], null!, null!, new Dictionary<string, string>(), "/");

    public bool IsEmpty => mounts.Count == 0;

    /// <summary>Where each mount lands in the container (absolute, lexically clean).</summary>
    public IEnumerable<string> Targets => mounts.Where(m => m.Spec.Target.Length > 0).Select(m => Target(m.Spec));

    public string CacheKeyContent() => string.Join('\n', mounts.Where(m => m.Spec.Type == RunMountType.Bind).Select(m =>
        m.Origin is { } origin ? $"bind\n{origin.ContentKey}" : $"bind\n{context.ContextHash(Source(m.Spec, origin: null))}"));

    private static string Source(RunMountSpec spec, CopyOrigin? origin)
    {
        var source = spec.Source ?? "/";
        return !PathText.EscapesRoot(source.TrimStart('/')) ? source
            : throw new FormatException($"--mount source={source}: outside the {(origin is null ? "build context" : "source")}");
    }

    private string Target(RunMountSpec spec)
    {
        var target = PathText.InImage(workingDir, spec.Target);
        return target != "/" ? target : throw new FormatException($"--mount target={spec.Target}: cannot mount over the container's /");
    }

    /// <summary>Makes every mount's host side under <paramref name="containerDirectory"/>; disposing it releases locks and unmounts.</summary>
    public PreparedMounts Prepare(string containerDirectory)
    {
        var prepared = new PreparedMounts();
        try
        {
            var index = 0;
            foreach (var (spec, origin) in mounts)
            {
                var target = spec.Target.Length == 0 ? "" : Target(spec);
                var scratch = Path.Join(containerDirectory, "mounts", (index++).ToString());
                switch (spec.Type)
                {
                    case RunMountType.Tmpfs:
                        prepared.Tmpfs.Add(new TmpfsMount(target, Native.Libc.MsNosuid | Native.Libc.MsNodev, spec.Size is { } size ? $"size={size}" : ""));
                        break;
                    case RunMountType.Cache:
                        prepared.Volumes.Add(new VolumeMount(CacheMounts.Acquire(store, spec, scratch, prepared), target, !spec.ReadWrite));
                        break;
                    case RunMountType.Secret:
                        if (secrets.TryGetValue(spec.Id!, out var file)) SecretMount.Add(spec, file, target, scratch, prepared);
                        else if (spec.Required) throw new FormatException($"secret '{spec.Id}' is required but was not given (build --secret id={spec.Id},src=FILE)");
                        break;
                    case RunMountType.Bind:
                        prepared.Volumes.Add(new VolumeMount(BindSource(spec, origin, scratch, prepared), target, !spec.ReadWrite));
                        break;
                }
            }
            return prepared;
        }
        catch
        {
            prepared.Dispose();
            throw;
        }
    }

    // The source is resolved inside its own root (context, stage or image), symlinks included, as BuildKit resolves it
    // in the source's snapshot. A read-only context bind is the context directory itself; anything else is an overlay
    // of the source's layers (with a throwaway upper dir for rw, whose writes are discarded after the step).
    private string BindSource(RunMountSpec spec, CopyOrigin? origin, string scratch, PreparedMounts prepared)
    {
        var source = Source(spec, origin);
        IReadOnlyList<string> layers = origin is null ? [context.ContextDirectory] : origin.Layers.Select(store.LayerDirectory).Reverse().ToList();
        var view = new LayerView(layers);
        var resolved = view.Resolve("/" + PathText.Clean(source));
        if (resolved != "/" && view.Find(resolved) is null)
            throw new FormatException($"--mount source={source}: not found in {(origin is null ? "the build context" : spec.From)}");
        if (origin is null && !spec.ReadWrite) return Path.Join(context.ContextDirectory, resolved);
        var merged = SourceOverlay.Mount(layers, scratch, spec.ReadWrite);
        prepared.Overlays.Add(merged);
        return Path.Join(merged, resolved);
    }
}
