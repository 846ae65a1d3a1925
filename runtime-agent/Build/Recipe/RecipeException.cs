namespace RuntimeAgent.Build.Recipe;

/// <summary>A recipe the builder refuses: the message names the file, the line and the instruction.</summary>
public sealed class RecipeException(SourceLocation location, string instruction, string problem)
    : Exception($"{location}: {instruction}: {problem}")
{
    public SourceLocation Location { get; } = location;
    public string Instruction { get; } = instruction;
}
