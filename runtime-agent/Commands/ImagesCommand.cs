using System.CommandLine;
using RuntimeAgent.Cli;
using RuntimeAgent.Store;
using Spectre.Console;

namespace RuntimeAgent.Commands;

/// <summary>`images`: the pulled images as a table.</summary>
public static class ImagesCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var command = new Command("images", "List pulled images");
        command.SetAction((parse, ct) => CliErrors.RunAsync(() =>
        {
            var images = new ImageStore(globals.Layout(parse)).List();
            var table = new Table().Border(TableBorder.Simple)
                .AddColumns("REFERENCE", "DIGEST", "LAYERS", "SIZE", "PULLED");
            foreach (var image in images)
                table.AddRow(Markup.Escape(image.Reference), Markup.Escape(Short(image.Digest)), image.Layers.Count.ToString(),
                             HumanSize(image.Size), image.Pulled.ToString("yyyy-MM-dd HH:mm:ss'Z'"));
            if (Terminal.IsInteractive)
            {
                AnsiConsole.Write(table);
                return Task.FromResult(0);
            }
            // Stable, greppable columns when piped.
            Console.WriteLine("REFERENCE\tDIGEST\tLAYERS\tSIZE\tPULLED");
            foreach (var image in images)
                Console.WriteLine($"{image.Reference}\t{image.Digest}\t{image.Layers.Count}\t{image.Size}\t{image.Pulled:O}");
            return Task.FromResult(0);
        }));
        return command;
    }

    private static string Short(string digest) => digest.Length > 19 ? digest[..19] : digest;

    internal static string HumanSize(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes} B",
    };
}
