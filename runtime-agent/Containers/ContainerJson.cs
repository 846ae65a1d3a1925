namespace RuntimeAgent.Containers;

/// <summary>
/// System.Text.Json builds the metadata of a type (its properties and converters) on first use, about a sixth of
/// the CPU time of a detached run's CLI and of its monitor on this VM. Both build it for state.json and spec.json
/// ahead of time, while they wait for something else: the CLI on a thread of its own while it resolves the image,
/// the monitor while it waits for its container's id. Building is thread-safe, so a first serialization that comes
/// sooner just waits for it.
/// </summary>
internal static class ContainerJson
{
    public static void Prepare()
    {
        _ = ContainerJsonContext.Default.Options.GetTypeInfo(typeof(ContainerState));
        _ = Run.RunJsonContext.Default.Options.GetTypeInfo(typeof(Run.ContainerSpec));
    }

    public static void PrepareInBackground() => new Thread(Prepare) { IsBackground = true, Name = "json-prepare" }.Start();
}
