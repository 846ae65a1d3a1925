using Registry.Oci;
using RuntimeAgent.Build.Context;
using RuntimeAgent.Build.Image;
using RuntimeAgent.Build.Recipe;

namespace RuntimeAgent.Build;

/// <summary>
/// The instructions that only change the image config: ENV, LABEL, WORKDIR, USER, ENTRYPOINT, CMD, EXPOSE, VOLUME,
/// SHELL, STOPSIGNAL, HEALTHCHECK, ONBUILD, MAINTAINER.
/// </summary>
public static class MetadataInstructions
{
    public static void Apply(BuildStage stage, Instruction instruction, ShellWords words)
    {
        var runtime = stage.Runtime;
        switch (instruction)
        {
            case EnvInstruction env:
                // Every value sees the variables as they were before this instruction, as in Docker.
                var values = env.Pairs.Select(p => (Key: words.Expand(p.Key, stage.Lookup), Value: words.Expand(p.Value, stage.Lookup))).ToList();
                foreach (var (key, value) in values)
                {
                    if (!RecipeParser.IsName(key)) throw new FormatException($"invalid variable name '{key}'");
                    stage.SetEnv(key, value);
                }
                break;
            case LabelInstruction label:
                runtime.Labels ??= [];
                foreach (var pair in label.Pairs) runtime.Labels[words.Expand(pair.Key, stage.Lookup)] = words.Expand(pair.Value, stage.Lookup);
                break;
            case WorkdirInstruction workdir:
                runtime.WorkingDir = PathText.InImage(stage.WorkingDir, words.Expand(workdir.Path, stage.Lookup));
                break;
            case UserInstruction user:
                runtime.User = words.Expand(user.User, stage.Lookup);
                break;
            case EntrypointInstruction entrypoint:
                runtime.Entrypoint = [.. entrypoint.Command.ToArgv(runtime.Shell)];
                if (!stage.CmdSetInStage) runtime.Cmd = null; // Docker: a new ENTRYPOINT drops the base image's CMD
                break;
            case CmdInstruction cmd:
                runtime.Cmd = [.. cmd.Command.ToArgv(runtime.Shell)];
                stage.CmdSetInStage = true;
                break;
            case ExposeInstruction expose:
                runtime.ExposedPorts ??= [];
                foreach (var port in expose.Ports.Select(p => words.Expand(p, stage.Lookup)))
                    runtime.ExposedPorts[ValidPort(port)] = new EmptyObject();
                break;
            case VolumeInstruction volume:
                runtime.Volumes ??= [];
                foreach (var path in volume.Paths.Select(p => words.Expand(p, stage.Lookup)))
                    runtime.Volumes[PathText.InImage("/", path)] = new EmptyObject();
                break;
            case ShellInstruction shell:
                runtime.Shell = [.. shell.Shell];
                break;
            case StopSignalInstruction signal:
                runtime.StopSignal = ValidSignal(words.Expand(signal.Signal, stage.Lookup));
                break;
            case HealthcheckInstruction health:
                runtime.Healthcheck = Healthcheck.Config(health);
                break;
            case OnBuildInstruction onBuild:
                (runtime.OnBuild ??= []).Add(onBuild.Trigger);
                break;
            case MaintainerInstruction maintainer:
                stage.Config.Author = words.Expand(maintainer.Name, stage.Lookup);
                break;
            default:
                throw new InvalidOperationException($"{instruction.Keyword} is not a metadata instruction");
        }
    }

    private static string ValidSignal(string signal) =>
        System.Text.RegularExpressions.Regex.IsMatch(signal, "^(SIG[A-Z0-9+-]+|[0-9]{1,2}|RTMIN\\+[0-9]+)$")
            ? signal : throw new FormatException($"invalid signal '{signal}' (expected a name such as SIGTERM or a number)");

    private static string ValidPort(string port)
    {
        var parts = port.Split('/');
        var protocol = parts.Length > 1 ? parts[1].ToLowerInvariant() : "tcp";
        if (parts.Length > 2 || protocol is not ("tcp" or "udp" or "sctp") || !RangeOk(parts[0]))
            throw new FormatException($"invalid port '{port}' (expected PORT[-PORT][/tcp|udp|sctp])");
        return $"{parts[0]}/{protocol}";
    }

    private static bool RangeOk(string range) =>
        range.Split('-') is { Length: 1 or 2 } bounds && bounds.All(b => ushort.TryParse(b, out var n) && n > 0);
}
