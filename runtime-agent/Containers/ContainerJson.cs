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
        PrepareState();
        PrepareSpec();
    }

    public static void PrepareInBackground() => Background(Prepare);

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

    public static void PrepareState() => _ = ContainerJsonContext.Default.Options.GetTypeInfo(typeof(ContainerState));

    private static void PrepareSpec() => _ = Run.RunJsonContext.Default.Options.GetTypeInfo(typeof(Run.ContainerSpec));

    private static Thread Background(ThreadStart work)
    {
        var thread = new Thread(work) { IsBackground = true, Name = "json-prepare" };
        thread.Start();
        return thread;
    }
}
