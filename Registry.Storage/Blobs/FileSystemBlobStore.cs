using System.Buffers;
using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;
using Registry.Oci;
using Registry.Storage.Uploads;

namespace Registry.Storage.Blobs;

/// <summary>
/// The default blob store: files under a root directory. Published blobs live at
/// <c>blobs/&lt;algorithm&gt;/&lt;first two hex&gt;/&lt;hex&gt;</c>; an upload is staged in the file <c>uploads/&lt;id&gt;</c>
/// on the same filesystem, so publishing is a rename that never overwrites (the first copy wins).
/// </summary>
public sealed class FileSystemBlobStore : IBlobStore
{
    // Large enough that a 100 MiB push is a hundred write calls, small enough to pool.
    private const int WriteBlockSize = 1024 * 1024;
    private readonly string root;
    private readonly string blobsRoot;
    private readonly string uploadsRoot;

    public FileSystemBlobStore(string rootDirectory)
    {
        root = Path.GetFullPath(rootDirectory);
        blobsRoot = Path.Combine(root, "blobs");
        uploadsRoot = Path.Combine(root, "uploads");
        Directory.CreateDirectory(blobsRoot);
        Directory.CreateDirectory(uploadsRoot);
    }

    /// <summary>The file a published blob lives in (whether or not it exists).</summary>
    public string PathOf(Digest digest) =>
        Contained(Path.Combine(blobsRoot, digest.Algorithm, digest.Hex[..2], digest.Hex));

    public Task<long?> GetSizeAsync(Digest digest, CancellationToken cancellationToken)
    {
        var file = new FileInfo(PathOf(digest));
        return Task.FromResult<long?>(file.Exists ? file.Length : null);
    }

    public Task<Stream> OpenReadAsync(Digest digest, long offset, long? length, CancellationToken cancellationToken)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete,
                bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(digest);
        }
        stream.Seek(offset, SeekOrigin.Begin);
        return Task.FromResult<Stream>(length is { } limit ? new ReadOnlySlice(stream, limit) : stream);
    }

    public Task<BlobReadLocation?> GetReadLocationAsync(Digest digest, CancellationToken cancellationToken)
    {
        var path = PathOf(digest);
        return Task.FromResult(File.Exists(path) ? new BlobReadLocation(path, null) : null);
    }

    public Task<bool> DeleteAsync(Digest digest, CancellationToken cancellationToken)
    {
        var path = PathOf(digest);
        if (!File.Exists(path)) return Task.FromResult(false);
        File.Delete(path);
        return Task.FromResult(true);
    }

    public async IAsyncEnumerable<StoredBlob> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var algorithmDir in Directory.EnumerateDirectories(blobsRoot))
        {
            var algorithm = Path.GetFileName(algorithmDir);
            foreach (var file in Directory.EnumerateFiles(algorithmDir, "*", SearchOption.AllDirectories))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!Digest.TryParse($"{algorithm}:{Path.GetFileName(file)}", out var digest)) continue;
                var info = new FileInfo(file);
                yield return new StoredBlob(digest, info.Length, info.LastWriteTimeUtc);
            }
        }
        await Task.CompletedTask;
    }

    public Task BeginUploadAsync(string uploadId, CancellationToken cancellationToken)
    {
        using (File.OpenHandle(StagingEntry(uploadId), FileMode.CreateNew, FileAccess.Write)) { }
        return Task.CompletedTask;
    }

    public async Task<long> AppendUploadAsync(string uploadId, long offset, Stream data, CancellationToken cancellationToken)
    {
        // FileShare.None: a second writer on the same session fails instead of interleaving bytes.
        // Synchronous positional writes of large blocks: page-cache writes are short, and an async handle
        // would turn each one into a thread-pool hop. No fsync here: the bytes are fsynced once, at publish.
        using var handle = OpenStagedHandle(uploadId, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        var length = RandomAccess.GetLength(handle);
        if (length < offset) throw new UploadOffsetMismatchException(uploadId, offset, length);
        // Bytes past the acknowledged offset come from a request that failed half-way: drop them.
        if (length > offset) RandomAccess.SetLength(handle, offset);
        var buffer = ArrayPool<byte>.Shared.Rent(WriteBlockSize);
        try
        {
            var position = offset;
            while (true)
            {
                var filled = await StreamChunks.FillAsync(data, buffer.AsMemory(0, WriteBlockSize), cancellationToken);
                if (filled == 0) break;
                RandomAccess.Write(handle, buffer.AsSpan(0, filled), position);
                position += filled;
                if (filled < WriteBlockSize) break;
            }
            return position;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public Task<Stream> OpenUploadAsync(string uploadId, CancellationToken cancellationToken) =>
        Task.FromResult<Stream>(OpenStaged(uploadId, FileMode.Open, FileAccess.Read, FileShare.Read));

    public Task PublishUploadAsync(string uploadId, Digest digest, CancellationToken cancellationToken)
    {
        var staged = FindStaged(uploadId) ?? throw new UploadNotFoundException(uploadId);
        var target = PathOf(digest);
        var moved = false;
        if (!File.Exists(target))
        {
            // The one fsync of an upload: the content must be on disk before a name (and then a metadata
            // link) points at it. The rename itself reaches the disk with the filesystem's journal, which
            // the database's next fsync forces (docs/REGISTRY.md, "Durability").
            using (var handle = File.OpenHandle(staged, FileMode.Open, FileAccess.ReadWrite)) RandomAccess.FlushToDisk(handle);
            try
            {
                MoveIntoPlace(staged, target);
                moved = true;
            }
            catch (IOException) when (File.Exists(target))
            {
                // Another upload of the same content won the race; its copy is the one we keep.
                StorageMetrics.DedupHits.Add(1);
            }
        }
        else
        {
            StorageMetrics.DedupHits.Add(1);
        }
        if (!moved || staged != StagingEntry(uploadId)) RemoveStaging(uploadId);
        return Task.CompletedTask;
    }

    // Without overwrite .NET links the new name and unlinks the old one, so a concurrent publisher of the same
    // digest sees "exists" rather than replacing an intact copy. The two-hex directory is created only when the
    // first blob of its prefix arrives, not asked for on every push.
    private static void MoveIntoPlace(string staged, string target)
    {
        try
        {
            File.Move(staged, target, overwrite: false);
        }
        catch (DirectoryNotFoundException)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(staged, target, overwrite: false);
        }
    }

    public Task DeleteUploadAsync(string uploadId, CancellationToken cancellationToken)
    {
        RemoveStaging(uploadId);
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<StagedUpload> ListUploadsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(uploadsRoot))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = Path.GetFileName(entry);
            if (!UploadIds.IsValid(id)) continue;
            var staged = new FileInfo(entry);
            if (staged.Exists) yield return new StagedUpload(id, staged.Length, staged.LastWriteTimeUtc);
        }
        await Task.CompletedTask;
    }

    public Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(blobsRoot)) throw new StoreUnavailableException($"blob directory {blobsRoot} is missing");
        return Task.CompletedTask;
    }

    private FileStream OpenStaged(string uploadId, FileMode mode, FileAccess access, FileShare share) =>
        new(OpenStagedHandle(uploadId, mode, access, share), access, bufferSize: 0);

    private SafeFileHandle OpenStagedHandle(string uploadId, FileMode mode, FileAccess access, FileShare share)
    {
        try
        {
            return File.OpenHandle(FindStaged(uploadId) ?? throw new UploadNotFoundException(uploadId), mode, access, share);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UploadNotFoundException(uploadId);
        }
        catch (IOException) when (share == FileShare.None)
        {
            throw new UploadOffsetMismatchException(uploadId, -1, -1);
        }
    }

    /// <summary>uploads/&lt;id&gt;: the staged file.</summary>
    private string StagingEntry(string uploadId)
    {
        if (!UploadIds.IsValid(uploadId)) throw new UploadNotFoundException(uploadId);
        return Contained(Path.Combine(uploadsRoot, uploadId));
    }

    /// <summary>The staged file, or null when the session has none.</summary>
    private string? FindStaged(string uploadId)
    {
        var entry = StagingEntry(uploadId);
        return File.Exists(entry) ? entry : null;
    }

    private void RemoveStaging(string uploadId)
    {
        File.Delete(StagingEntry(uploadId)); // no error when a publish already moved it away
    }

    // Defence in depth: every path this store touches must stay under its root.
    private string Contained(string path)
    {
        var full = Path.GetFullPath(path);
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidOperationException($"path {path} escapes the blob store root");
        return full;
    }
}
