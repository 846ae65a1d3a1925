using Registry.Oci;
using System.CommandLine;
using RuntimeAgent.Cli;
using RuntimeAgent.Registry;
using RuntimeAgent.Store;

namespace RuntimeAgent.Commands;

/// <summary>`rmi REF`: forget an image; `gc` then frees what nothing else uses.</summary>
public static class RmiCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var reference = new Argument<string>("REF") { Description = "The image reference as pulled" };
        var command = new Command("rmi", "Remove an image record (run gc to free its blobs and layers)") { reference };
        command.SetAction((parse, ct) => CliErrors.RunAsync(() =>
        {
            var text = parse.GetValue(reference)!;
            if (!new ImageStore(globals.Layout(parse)).Remove(text))
                throw new ImageNotFoundException($"no such image: {text}");
            Console.WriteLine($"Untagged: {ImageReference.Parse(text)}");
            return Task.FromResult(0);
        }));
        return command;
    }
}
