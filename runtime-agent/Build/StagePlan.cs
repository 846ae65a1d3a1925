using RuntimeAgent.Build.Recipe;

namespace RuntimeAgent.Build;

/// <summary>One stage of a recipe: its FROM, the instructions after it, its position and its name (if any).</summary>
public sealed record StageRecipe(int Index, FromInstruction From, IReadOnlyList<Instruction> Body)
{
    public string? Name => From.StageName;
    public string Display => Name ?? Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// A recipe cut into its global ARGs and its stages, and which stages a target needs: the target, the stages its
/// FROM, <c>COPY --from</c> and <c>RUN --mount=from=</c> name, and theirs. Stages nothing needs are not built, as
/// in BuildKit; a reference must name an earlier stage (or an index below its own), else it is an image.
/// </summary>
public sealed class StagePlan
{
    public required IReadOnlyList<ArgInstruction> GlobalArgs { get; init; }
    public required IReadOnlyList<StageRecipe> Stages { get; init; }

    public static StagePlan Of(ParsedRecipe recipe)
    {
        var globals = new List<ArgInstruction>();
        var stages = new List<StageRecipe>();
        FromInstruction? from = null;
        var body = new List<Instruction>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instruction in recipe.Instructions)
        {
            if (instruction is FromInstruction next)
            {
                if (from is not null) stages.Add(new StageRecipe(stages.Count, from, body));
                if (next.StageName is { } name && !names.Add(name))
                    throw new RecipeException(next.Location, "FROM", $"the stage name '{next.StageName}' is already used by an earlier stage");
                (from, body) = (next, []);
            }
            else if (from is null) globals.Add((ArgInstruction)instruction);
            else body.Add(instruction);
        }
        stages.Add(new StageRecipe(stages.Count, from!, body));
        return new StagePlan { GlobalArgs = globals, Stages = stages };
    }

    /// <summary>The stage <c>--target</c> names, or the last one.</summary>
    public StageRecipe Target(string? name)
    {
        if (name is null) return Stages[^1];
        return Stages.FirstOrDefault(s => s.Name == name.ToLowerInvariant())
            ?? throw new FormatException($"--target {name}: the recipe has no stage named '{name}' (stages: {string.Join(", ", Stages.Where(s => s.Name is not null).Select(s => s.Name))})");
    }

    /// <summary>An earlier stage a FROM or --from value names (a name, or an index below <paramref name="before"/>), else null (an image).</summary>
    public StageRecipe? Referenced(string value, int before, bool allowIndex)
    {
        if (allowIndex && int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
            return index < before ? Stages[index] : null;
        return Stages.Take(before).LastOrDefault(s => s.Name == value.ToLowerInvariant());
    }

    /// <summary>The stages the target needs, in recipe order. <paramref name="expand"/> substitutes global ARGs in references.</summary>
    public IReadOnlyList<StageRecipe> Needed(StageRecipe target, Func<string, string> expand)
    {
        var needed = new SortedSet<int>();
        var pending = new Stack<StageRecipe>([target]);
        while (pending.TryPop(out var stage))
        {
            if (!needed.Add(stage.Index)) continue;
            foreach (var dependency in Dependencies(stage, expand)) pending.Push(dependency);
        }
        return needed.Select(i => Stages[i]).ToList();
    }

    private IEnumerable<StageRecipe> Dependencies(StageRecipe stage, Func<string, string> expand)
    {
        if (Referenced(expand(stage.From.Image), stage.Index, allowIndex: false) is { } parent) yield return parent;
        foreach (var instruction in stage.Body)
        {
            var references = instruction switch
            {
                CopyInstruction { From: { } from } => [from],
                RunInstruction run => run.Mounts.Select(MountFrom).OfType<string>(),
                _ => [],
            };
            foreach (var reference in references)
                if (Referenced(expand(reference), stage.Index, allowIndex: true) is { } source) yield return source;
        }
    }

    private static string? MountFrom(string mount) =>
        mount.Split(',').Select(p => p.Split('=', 2)).FirstOrDefault(p => p is ["from", _])?[1];
}
