using System.CommandLine;
using RuntimeAgent.Build.Push;
using RuntimeAgent.Cli;

namespace RuntimeAgent.Commands;

/// <summary>`push REF`: send a built image's missing blobs (mounting what the registry has elsewhere) and its manifest.</summary>
public static class PushCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var reference = new Argument<string>("REF") { Description = "Image reference in the store, e.g. localhost:5000/org/app:1.0" };
        var insecure = PullCommand.InsecureOption();
        var command = new Command("push", "Push an image built by this agent to its registry") { reference, insecure };
        command.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var digest = await new ImagePusher(globals.Layout(parse), Console.Out).PushAsync(parse.GetValue(reference)!, parse.GetValue(insecure), ct);
            Console.WriteLine($"Digest: {digest}");
            return 0;
        }));
        return command;
    }
}
