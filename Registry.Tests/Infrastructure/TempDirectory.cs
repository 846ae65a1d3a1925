namespace Registry.Tests.Infrastructure;

/// <summary>A fresh directory under /tmp for one test, deleted with everything in it afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("registry-test-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
