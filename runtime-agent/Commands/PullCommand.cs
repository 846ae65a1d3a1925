using System.CommandLine;
using RuntimeAgent.Cli;
using RuntimeAgent.Store;
using RuntimeAgent.Unpack;

namespace RuntimeAgent.Commands;

/// <summary>`pull REF`: fetch an image into the store and unpack its layers.</summary>
public static class PullCommand
{
    public static Option<bool> InsecureOption() => new("--insecure") { Description = "Use plain HTTP even for a non-loopback registry" };

    public static Option<long> MaxLayerSizeOption() => new("--max-layer-size")
    {
        Description = "Refuse a layer whose uncompressed tar is larger than this many bytes",
        DefaultValueFactory = _ => LayerUnpacker.DefaultMaxBytes,
    };

    public static Option<bool> QuietOption() => new("--quiet", "-q") { Description = "Do not show pull progress" };

    public static Command Create(GlobalOptions globals)
    {
        var reference = new Argument<string>("REF") { Description = "Image reference, e.g. localhost:5000/org/app:1.0 or host/org/app@sha256:…" };
        var insecure = InsecureOption();
        var maxLayerSize = MaxLayerSizeOption();
        var quiet = QuietOption();
        var progressStyle = ProgressStyles.Option();
        var command = new Command("pull", "Pull an image (linux/amd64) into the local store and unpack its layers")
        {
            reference, insecure, maxLayerSize, quiet, progressStyle,
        };
        command.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var store = new ImageStore(globals.Layout(parse));
            var limit = parse.GetValue(maxLayerSize);
            if (limit <= 0) throw new FormatException("--max-layer-size must be positive");
            Task<ImageRecord> Pull(IPullProgress progress) =>
                store.PullAsync(parse.GetValue(reference)!, new PullOptions(parse.GetValue(insecure), limit, progress), ct);

            var record = await ProgressDisplay.PullAsync(ProgressStyles.Parse(parse.GetValue(progressStyle)),
                                                         parse.GetValue(quiet) ? null : Console.Out, Pull);
            Console.WriteLine($"Digest: {record.Digest}");
            return 0;
        }));
        return command;
    }
}
