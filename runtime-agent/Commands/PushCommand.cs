using System.CommandLine;
using RuntimeAgent.Build.Push;
using RuntimeAgent.Cli;

namespace RuntimeAgent.Commands;

/// <summary>
/// `push [--quiet] [--progress auto|tty|plain] REF`: send a built image's missing blobs (mounting what the registry has
/// elsewhere) and its manifest, showing each blob's upload as pull shows downloads (<see cref="ProgressDisplay"/>).
/// </summary>
public static class PushCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var reference = new Argument<string>("REF") { Description = "Image reference in the store, e.g. localhost:5000/org/app:1.0" };
        var insecure = PullCommand.InsecureOption();
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Do not show push progress" };
        var progressStyle = ProgressStyles.Option();
        var command = new Command("push", "Push an image built by this agent to its registry") { reference, insecure, quiet, progressStyle };
        command.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var digest = await ProgressDisplay.PushAsync(ProgressStyles.Parse(parse.GetValue(progressStyle)), parse.GetValue(quiet) ? null : Console.Out,
                progress => new ImagePusher(globals.Layout(parse), progress).PushAsync(parse.GetValue(reference)!, parse.GetValue(insecure), ct));
            Console.WriteLine($"Digest: {digest}");
            return 0;
        }));
        return command;
    }
}
