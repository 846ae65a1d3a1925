using System.CommandLine;
using RuntimeAgent.Cli;
using RuntimeAgent.Store;

namespace RuntimeAgent.Commands;

/// <summary>`gc`: delete blobs and unpacked layers no image uses, and what runs that never finished left behind.</summary>
public static class GcCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var command = new Command("gc", "Delete blobs and unpacked layers that no image uses");
        command.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var result = await new GarbageCollector(globals.Layout(parse)).CollectAsync(Console.Error.WriteLine, ct);
            Console.WriteLine($"Removed {result.BlobsRemoved} blobs ({ImagesCommand.HumanSize(result.BlobBytesRemoved)}), " +
                              $"{result.LayersRemoved} unpacked layers, {result.PartialsRemoved} partial downloads, " +
                              $"{result.UnfinishedContainersRemoved} unfinished containers");
            return 0;
        }));
        return command;
    }
}
