using System.CommandLine;
using System.Text.Json;
using RuntimeAgent.Cli;
using RuntimeAgent.Containers;

namespace RuntimeAgent.Commands;

/// <summary><c>inspect NAME|ID…</c>: a JSON array with each container's state and configuration.</summary>
public static class InspectCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var names = new Argument<string[]>("container") { Description = "Container name or id", Arity = ArgumentArity.OneOrMore };
        var inspect = new Command("inspect", "Show a container's state and configuration as JSON") { names };
        inspect.SetAction(parse => ContainerCommands.Guard(() =>
        {
            var store = new ContainerStore(globals.Layout(parse));
            var details = parse.GetValue(names)!.Select(n => ContainerDetails.Of(store, store.Find(n))).ToList();
            Console.WriteLine(JsonSerializer.Serialize(details, ContainerJsonContext.Default.ListContainerDetails));
            return 0;
        }));
        return inspect;
    }
}
