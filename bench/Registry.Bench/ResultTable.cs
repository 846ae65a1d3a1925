using System.Globalization;
using System.Text;

namespace Registry.Bench;

/// <summary>
/// Renders the measurements as one Markdown table: the primary figure per target, the ratio of the first
/// target to the second, and p50/p99 latency per target.
/// </summary>
public static class ResultTable
{
    public static string Render(IReadOnlyList<string> targets, IReadOnlyList<Measurement> results)
    {
        var text = new StringBuilder();
        var header = new List<string> { "workload", "unit" };
        header.AddRange(targets);
        if (targets.Count >= 2) header.Add($"{targets[0]}/{targets[1]}");
        header.AddRange(targets.Select(t => $"{t} p50/p99 ms"));
        Row(text, header);
        Row(text, header.Select(_ => "---"));

        foreach (var workload in results.Select(r => r.Workload).Distinct())
        {
            var byTarget = targets.Select(t => results.FirstOrDefault(r => r.Workload == workload && r.Target == t)).ToList();
            var figure = byTarget.First(r => r is not null)!.Figure;
            var cells = new List<string> { workload, Measurement.Unit(figure) };
            cells.AddRange(byTarget.Select(r => r is null ? "—" : r.Errors > 0 ? "ERROR" : Number(r.Primary)));
            if (targets.Count >= 2) cells.Add(Ratio(byTarget[0], byTarget[1]));
            cells.AddRange(byTarget.Select(r => r is null || r.Errors > 0 ? "—" : $"{Number(r.P50Ms)} / {Number(r.P99Ms)}"));
            Row(text, cells);
        }

        var notes = results.Where(r => r.Note is not null || r.Errors > 0).ToList();
        if (notes.Count > 0) text.AppendLine();
        foreach (var r in notes)
            text.AppendLine(r.Errors > 0
                ? $"- {r.Workload} on {r.Target}: {r.Errors} error(s), first: {r.FirstError}"
                : $"- {r.Workload} on {r.Target}: {r.Note}");
        return text.ToString();
    }

    static string Ratio(Measurement? ours, Measurement? theirs)
    {
        if (ours is null || theirs is null || ours.Errors > 0 || theirs.Errors > 0) return "—";
        var ratio = ours.Primary / theirs.Primary;
        return double.IsFinite(ratio) ? $"{ratio.ToString("0.00", CultureInfo.InvariantCulture)}×" : "—";
    }

    static string Number(double value) => !double.IsFinite(value) ? "—"
        : value.ToString(value >= 100 ? "N0" : value >= 10 ? "N1" : "N2", CultureInfo.InvariantCulture);

    static void Row(StringBuilder text, IEnumerable<string> cells) => text.Append("| ").AppendJoin(" | ", cells).AppendLine(" |");
}
