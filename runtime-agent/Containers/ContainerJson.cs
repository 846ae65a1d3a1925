namespace RuntimeAgent.Containers;

/// <summary>
/// System.Text.Json builds the metadata of a type (its properties and converters) on first use, about a sixth of
/// the CPU time of a detached run's CLI and of its monitor on this VM. Only reading needs it (the records are written by
/// hand: Run.ContainerSpecWriter, ContainerStateWriter), so it is built ahead of time by those that read while they wait
/// for something else: a spawned monitor (both records) while it waits for its container's id, the CLI that spawned it
/// (state.json only: the name check reads the other containers') on a thread of its own while it resolves the image.
/// Building is thread-safe, so a first read that comes sooner just waits for it.
/// </summary>
internal static class ContainerJson
{
    /// <summary>The CLI's: state.json's metadata, on a thread of its own.</summary>
    public static void PrepareStateInBackground() => Background(PrepareState);

    /// <summary>
    /// The monitor's: the two records' metadata are independent, so they are built on two cores at once, the state's on a
    /// thread of its own (the CLI is mostly waiting by then); joining the returned thread waits for it.
    /// </summary>
    public static Thread PrepareSpecHereAndStateInBackground()
    {
        var state = Background(PrepareState);
        PrepareSpec();
        return state;
    }

    private static void PrepareState() => _ = ContainerJsonContext.Default.Options.GetTypeInfo(typeof(ContainerState));

    private static void PrepareSpec() => _ = Run.RunJsonContext.Default.Options.GetTypeInfo(typeof(Run.ContainerSpec));

    private static Thread Background(ThreadStart work)
    {
        var thread = new Thread(work) { IsBackground = true, Name = "json-prepare" };
        thread.Start();
        return thread;
    }
}
