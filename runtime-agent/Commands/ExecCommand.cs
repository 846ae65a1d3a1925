using System.CommandLine;
using RuntimeAgent.Cli;
using RuntimeAgent.Containers;
using RuntimeAgent.Run;

namespace RuntimeAgent.Commands;

/// <summary><c>exec [-it] [-e K=V] [-u USER] [-w DIR] NAME CMD [ARG…]</c>: runs a command inside a running container.</summary>
public static class ExecCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var name = new Argument<string>("container") { Description = "Container name or id" };
        var command = new Argument<string[]>("command") { Description = "Command and arguments", Arity = ArgumentArity.OneOrMore };
        var interactive = new Option<bool>("--interactive", "-i") { Description = "Pass stdin to the command (else it reads /dev/null)" };
        var tty = new Option<bool>("--tty", "-t") { Description = "Give the command a pseudo-terminal of the container's (with -i, the keyboard reaches it)" };
        var env = new Option<string[]>("--env", "-e") { Description = "Set an environment variable (K=V), over the container's" };
        var user = new Option<string?>("--user", "-u") { Description = "UID[:GID] or NAME[:GROUP] (default: the container's user)" };
        var workdir = new Option<string?>("--workdir", "-w") { Description = "Working directory (default: the container's)" };
        var exec = new Command("exec", "Run a command in a running container (its namespaces, root and user)") { name, command, interactive, tty, env, user, workdir };
        exec.SetAction(parse => ContainerCommands.Guard(() =>
        {
            var store = new ContainerStore(globals.Layout(parse));
            var state = store.Find(parse.GetValue(name)!);
            var variables = parse.GetValue(env) ?? [];
            if (variables.FirstOrDefault(v => !v.Contains('=') || v.StartsWith('=')) is { } bad)
                throw new ContainerStateException($"invalid environment variable '{bad}': use K=V");
            var request = new ExecRequest(parse.GetValue(command)!, variables, parse.GetValue(user), parse.GetValue(workdir), parse.GetValue(interactive))
            {
                Tty = parse.GetValue(tty),
            };
            return new ContainerExec(state, ContainerSpec.Load(store.SpecPath(state.Id))).Run(request);
        }));
        return exec;
    }
}
