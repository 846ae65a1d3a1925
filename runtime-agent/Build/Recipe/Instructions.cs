namespace RuntimeAgent.Build.Recipe;

/// <summary>Where an instruction came from: the error messages and the build output name it.</summary>
public sealed record SourceLocation(string File, int Line)
{
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>
/// One parsed instruction, variables not yet substituted: substitution depends on the ARG and ENV state
/// at the point the builder reaches it. <see cref="Text"/> is the instruction as written (continuations
/// joined), which is also what the cache key and the image history record.
/// See: https://docs.docker.com/reference/dockerfile/
/// </summary>
public abstract record Instruction(SourceLocation Location, string Keyword, string Text)
{
    /// <summary>True when the instruction only changes the image config (no layer).</summary>
    public virtual bool ProducesLayer => false;
}

/// <summary>A command in exec form (JSON array, run as is) or shell form (run by <c>/bin/sh -c</c>).</summary>
public sealed record CommandLine(IReadOnlyList<string>? Exec, string? Shell)
{
    public static CommandLine ExecForm(IReadOnlyList<string> args) => new(args, null);
    public static CommandLine ShellForm(string command) => new(null, command);

    /// <summary>The shell a shell-form command runs under unless SHELL changed it.</summary>
    public static readonly IReadOnlyList<string> DefaultShell = ["/bin/sh", "-c"];

    /// <summary>The argv the process gets: exec form as written, shell form through the stage's SHELL (default <c>/bin/sh -c</c>).</summary>
    public IReadOnlyList<string> ToArgv(IReadOnlyList<string>? shell = null) => Exec ?? [.. shell ?? DefaultShell, Shell!];
}

/// <summary><c>FROM [--platform=P] image [AS name]</c>; the image may name an earlier stage or <c>scratch</c>.</summary>
public sealed record FromInstruction(SourceLocation Location, string Text, string Image, string? StageName)
    : Instruction(Location, "FROM", Text)
{
    /// <summary>The raw <c>--platform</c> value (variables substituted at build time), or null.</summary>
    public string? Platform { get; init; }
}

/// <summary><c>RUN [--mount=…]… [--network=…] command</c>; here-documents are already folded into <see cref="Command"/>.</summary>
public sealed record RunInstruction(SourceLocation Location, string Text, CommandLine Command)
    : Instruction(Location, "RUN", Text)
{
    public IReadOnlyList<string> Mounts { get; init; } = [];
    public string? Network { get; init; }
    public override bool ProducesLayer => true;
}

/// <summary>
/// <c>COPY</c> or <c>ADD</c>: sources (last word is the destination) from the context, a stage or an image
/// (<c>--from</c>), here-documents named by <c>&lt;&lt;NAME</c> sources, and the flags that shape the copy.
/// </summary>
public sealed record CopyInstruction(SourceLocation Location, string Keyword, string Text,
    IReadOnlyList<string> Sources, string Destination, string? Chown, string? Chmod)
    : Instruction(Location, Keyword, Text)
{
    public string? From { get; init; }
    public bool Link { get; init; }
    public bool Parents { get; init; }
    public IReadOnlyList<string> Excludes { get; init; } = [];
    public string? Checksum { get; init; }
    public IReadOnlyList<Heredoc> Heredocs { get; init; } = [];
    public bool IsAdd => Keyword == "ADD";
    public override bool ProducesLayer => true;
}

/// <summary>A <c>KEY=VALUE</c> pair as written (quotes and variables resolved at build time).</summary>
public sealed record RawPair(string Key, string Value);

public sealed record EnvInstruction(SourceLocation Location, string Text, IReadOnlyList<RawPair> Pairs)
    : Instruction(Location, "ENV", Text);

public sealed record LabelInstruction(SourceLocation Location, string Text, IReadOnlyList<RawPair> Pairs)
    : Instruction(Location, "LABEL", Text);

/// <summary><c>ARG NAME[=default]</c>; <see cref="Default"/> is raw (substituted when reached).</summary>
public sealed record ArgInstruction(SourceLocation Location, string Text, string Name, string? Default)
    : Instruction(Location, "ARG", Text);

public sealed record WorkdirInstruction(SourceLocation Location, string Text, string Path)
    : Instruction(Location, "WORKDIR", Text);

public sealed record UserInstruction(SourceLocation Location, string Text, string User)
    : Instruction(Location, "USER", Text);

public sealed record EntrypointInstruction(SourceLocation Location, string Text, CommandLine Command)
    : Instruction(Location, "ENTRYPOINT", Text);

public sealed record CmdInstruction(SourceLocation Location, string Text, CommandLine Command)
    : Instruction(Location, "CMD", Text);

/// <summary><c>EXPOSE 80 443/tcp</c>; raw words, substituted at build time.</summary>
public sealed record ExposeInstruction(SourceLocation Location, string Text, IReadOnlyList<string> Ports)
    : Instruction(Location, "EXPOSE", Text);

public sealed record VolumeInstruction(SourceLocation Location, string Text, IReadOnlyList<string> Paths)
    : Instruction(Location, "VOLUME", Text);

/// <summary><c>HEALTHCHECK [--interval=…] CMD …</c> or <c>HEALTHCHECK NONE</c> (<see cref="Test"/> null).</summary>
public sealed record HealthcheckInstruction(SourceLocation Location, string Text, CommandLine? Test, IReadOnlyDictionary<string, string> Options)
    : Instruction(Location, "HEALTHCHECK", Text);

/// <summary><c>SHELL ["executable", "parameters"]</c>: what later shell-form commands run under.</summary>
public sealed record ShellInstruction(SourceLocation Location, string Text, IReadOnlyList<string> Shell)
    : Instruction(Location, "SHELL", Text);

public sealed record StopSignalInstruction(SourceLocation Location, string Text, string Signal)
    : Instruction(Location, "STOPSIGNAL", Text);

/// <summary><c>ONBUILD INSTRUCTION</c>: recorded in the image, run when another build uses it as a base.</summary>
public sealed record OnBuildInstruction(SourceLocation Location, string Text, string Trigger)
    : Instruction(Location, "ONBUILD", Text);

/// <summary><c>MAINTAINER name</c> (deprecated): the image config's author.</summary>
public sealed record MaintainerInstruction(SourceLocation Location, string Text, string Name)
    : Instruction(Location, "MAINTAINER", Text);
