using Registry.Oci;
using System.CommandLine;
using RuntimeAgent.Cli;
using RuntimeAgent.Registry;
using RuntimeAgent.Store;
using RuntimeAgent.Watch;

namespace RuntimeAgent.Commands;

/// <summary>
/// `watch REGISTRY [--repository P]… [--tag P]… [--quiet] [--progress auto|tty|plain]`: prefetch newly pushed images by
/// following the registry's event feed, each pull shown as `pull` shows it.
/// </summary>
public static class WatchCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var registry = new Argument<string>("REGISTRY") { Description = "The registry to follow, e.g. localhost:5000" };
        var repositories = new Option<string[]>("--repository") { Description = "Only repositories matching this pattern (* matches anything, slashes included); repeatable" };
        var tags = new Option<string[]>("--tag") { Description = "Only tags matching this pattern (e.g. v1.*); repeatable" };
        var insecure = PullCommand.InsecureOption();
        var quiet = PullCommand.QuietOption();
        var progressStyle = ProgressStyles.Option();
        var command = new Command("watch", "Follow a registry's events and pull each newly pushed matching image (never removes any)")
        {
            registry, repositories, tags, insecure, quiet, progressStyle,
        };
        command.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var host = ImageReference.NormalizeRegistry(parse.GetValue(registry)!);
            var store = new ImageStore(globals.Layout(parse));
            var watcher = new EventWatcher(store, host, parse.GetValue(repositories) ?? [], parse.GetValue(tags) ?? [],
                parse.GetValue(insecure), Console.Out, Console.Error)
            {
                Progress = ProgressStyles.Parse(parse.GetValue(progressStyle)),
                Quiet = parse.GetValue(quiet),
            };
            try
            {
                await watcher.RunAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
            return 0;
        }));
        return command;
    }
}
