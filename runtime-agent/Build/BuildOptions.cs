namespace RuntimeAgent.Build;

/// <summary>What `runtime-agent build` was asked to do.</summary>
public sealed record BuildOptions(
    string ContextDirectory,
    string RecipePath,
    IReadOnlyList<string> Tags,
    IReadOnlyDictionary<string, string> BuildArgs,
    bool NoCache,
    bool Insecure);

/// <summary>A build that failed: the message says which step and why (a failing RUN carries its exit code).</summary>
public sealed class BuildFailedException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>The image a build made: its manifest digest and the references it was tagged with.</summary>
public sealed record BuiltImage(string ManifestDigest, string ConfigDigest, IReadOnlyList<string> References);
