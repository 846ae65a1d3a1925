namespace RuntimeAgent.Build;

/// <summary>
/// Lets independent stages build in parallel without sharing-state hazards: a stage holds the gate while it runs
/// its instructions (cache lookups, COPY planning, layer publishing, the shared digest cache and step counter all
/// happen under it) and lets go only while it waits — for a RUN's container to exit, or for a stage it needs. So
/// the slow parts (commands) overlap, and everything else stays as sequential as it was.
/// </summary>
internal sealed class StageGate
{
    private readonly SemaphoreSlim gate = new(1, 1);

    public Task EnterAsync(CancellationToken ct) => gate.WaitAsync(ct);

    public void Exit() => gate.Release();

    /// <summary>Runs <paramref name="work"/> without the gate (other stages proceed meanwhile), then takes it back.</summary>
    public async Task<T> OutsideAsync<T>(Func<Task<T>> work)
    {
        gate.Release();
        try
        {
            return await work();
        }
        finally
        {
            await gate.WaitAsync(); // always re-entered: the caller's Exit must stay balanced
        }
    }
}

/// <summary>The stages of one build, each a task started at once; a stage that needs another awaits it outside the gate.</summary>
internal sealed class BuiltStages(StageGate gate)
{
    private readonly Dictionary<int, Task<BuildStage>> tasks = [];

    public IReadOnlyCollection<Task<BuildStage>> All => tasks.Values;

    public void Add(int index, Task<BuildStage> task) => tasks.Add(index, task);

    public async Task<BuildStage> GetAsync(StageRecipe stage)
    {
        if (!tasks.TryGetValue(stage.Index, out var task)) throw new FormatException($"stage {stage.Display} is not part of this build");
        return task.IsCompleted ? await task : await gate.OutsideAsync(() => task);
    }

    public BuildStage Result(StageRecipe stage) => tasks[stage.Index].Result;
}
