using System.Globalization;
using System.Text;

namespace Registry.Storage.Blobs.S3;

/// <summary>One staged piece of an upload: the bytes at <see cref="Offset"/>, stored as their own object.</summary>
internal sealed record S3Segment(long Offset, long Size)
{
    public long End => Offset + Size;
}

/// <summary>
/// The committed state of an S3 upload: its segments in order. Rewriting this one small object is the
/// commit point of an append, so an append that dies half-way leaves the upload as it was
/// (S3 puts are atomic; segments past the index are ignored and overwritten or purged later).
/// </summary>
internal sealed class S3UploadIndex(IReadOnlyList<S3Segment> segments)
{
    public static readonly S3UploadIndex Empty = new([]);

    public IReadOnlyList<S3Segment> Segments { get; } = segments;

    public long Length => Segments.Count == 0 ? 0 : Segments[^1].End;

    /// <summary>
    /// The index cut back to <paramref name="offset"/>, dropping segments an acknowledged-but-unrecorded
    /// append added; null when the offset falls inside a segment (it was never acknowledged).
    /// </summary>
    public S3UploadIndex? TruncatedTo(long offset)
    {
        if (offset == Length) return this;
        var kept = Segments.TakeWhile(s => s.End <= offset).ToList();
        var keptLength = kept.Count == 0 ? 0 : kept[^1].End;
        return keptLength == offset ? new S3UploadIndex(kept) : null;
    }

    public S3UploadIndex With(IEnumerable<S3Segment> added) => new([.. Segments, .. added]);

    public byte[] Serialize()
    {
        var text = new StringBuilder();
        foreach (var segment in Segments)
            text.Append(CultureInfo.InvariantCulture, $"{segment.Offset} {segment.Size}\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    public static S3UploadIndex Parse(string text)
    {
        var segments = new List<S3Segment>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            var segment = new S3Segment(long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture));
            var expectedOffset = segments.Count == 0 ? 0 : segments[^1].End;
            if (fields.Length != 2 || segment.Offset != expectedOffset || segment.Size <= 0)
                throw new InvalidDataException($"corrupt upload index line '{line}'");
            segments.Add(segment);
        }
        return new S3UploadIndex(segments);
    }
}
