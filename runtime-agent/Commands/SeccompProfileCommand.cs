using System.CommandLine;
using RuntimeAgent.Cli;
using RuntimeAgent.Run.Isolation;
using RuntimeAgent.Run.Isolation.Seccomp;

namespace RuntimeAgent.Commands;

/// <summary>
/// `seccomp-profile`: prints the default seccomp filter, as the given capabilities shape it, in OCI/Docker JSON: a
/// starting point for a custom `--security-opt seccomp=FILE`, and what a runc bundle needs to run the same filter.
/// </summary>
public static class SeccompProfileCommand
{
    public static Command Create()
    {
        var capAdd = new Option<string[]>("--cap-add") { Description = "Capability the container would hold beyond the default set" };
        var capDrop = new Option<string[]>("--cap-drop") { Description = "Capability (or ALL) the container would not hold" };
        var command = new Command("seccomp-profile", "Print the default seccomp profile in OCI/Docker JSON") { capAdd, capDrop };
        command.SetAction((parse, _) => CliErrors.RunAsync(() =>
        {
            var capabilities = Capabilities.Resolve(false, parse.GetValue(capAdd) ?? [], parse.GetValue(capDrop) ?? []);
            using var stdout = Console.OpenStandardOutput();
            SeccompProfileWriter.Write(DefaultSeccompProfile.For(capabilities), stdout);
            stdout.Write("\n"u8);
            return Task.FromResult(0);
        }));
        return command;
    }
}
