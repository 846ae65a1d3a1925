using System.Text.Json;
using Registry.Bench;
using Registry.Bench.Workloads;

// Drives every workload against every target, alternating which target goes first so neither always
// benefits from a warmer machine, then prints one table. Exit code 1 when any workload had an error.
BenchOptions options;
try { options = BenchOptions.Parse(args); }
catch (Exception error) when (error is ArgumentException or FormatException)
{
    Console.Error.WriteLine(error.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

var targets = options.Targets.Select(spec => new BenchTarget(spec, options)).ToList();
var workloads = WorkloadCatalog.All(options).Where(w => options.Only is null || options.Only.Contains(w.Name)).ToList();
var results = new List<Measurement>();
for (var w = 0; w < workloads.Count; w++)
{
    var order = w % 2 == 0 ? targets : Enumerable.Reverse(targets);
    foreach (var target in order)
    {
        Measurement result;
        try { result = await workloads[w].Run(target, cancel.Token); }
        catch (Exception error) when (error is BenchException or HttpRequestException or IOException or TaskCanceledException)
        {
            result = Measurement.Failed(workloads[w].Name, target.Spec.Name, workloads[w].Figure, error);
        }
        results.Add(result);
        Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {result.Workload,-24} {result.Target,-14} " +
            (result.Errors > 0 ? $"ERROR {result.FirstError}" : $"{result.Primary:F1} {Measurement.Unit(result.Figure)}" +
             $" ops={result.Operations} p50={result.P50Ms:F2}ms p99={result.P99Ms:F2}ms"));
    }
}

var table = ResultTable.Render(options.Targets.Select(t => t.Name).ToList(), results);
Console.WriteLine(table);
if (options.MarkdownPath is not null) await File.WriteAllTextAsync(options.MarkdownPath, table);
if (options.JsonPath is not null)
    await File.WriteAllTextAsync(options.JsonPath, JsonSerializer.Serialize(results, new JsonSerializerOptions
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    }));
targets.ForEach(t => t.Dispose());
return results.Any(r => r.Errors > 0) ? 1 : 0;
