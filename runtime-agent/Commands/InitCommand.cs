using System.CommandLine;
using RuntimeAgent.Run;

namespace RuntimeAgent.Commands;

/// <summary>Hidden <c>init SPEC</c>: PID 1 of a container started through a second process (see <see cref="ContainerInit"/>).</summary>
public static class InitCommand
{
    public static Command Create()
    {
        var spec = new Argument<string>("spec") { Description = "The container spec written by run" };
        var init = new Command("init", "Internal: set up a container inside its namespaces and exec its command") { spec };
        init.Hidden = true;
        init.SetAction(parse =>
        {
            try
            {
                return ContainerInit.Run(parse.GetValue(spec)!);
            }
            catch (ContainerSetupException e)
            {
                Console.Error.WriteLine($"runtime-agent: {e.Message}");
                return e.ExitCode;
            }
        });
        return init;
    }
}
