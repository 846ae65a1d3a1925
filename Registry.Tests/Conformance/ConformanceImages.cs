using Registry.Tests.TestImages;

namespace Registry.Tests.Conformance;

/// <summary>The images the conformance tests push: small (≈1 MiB), several layers, every compression.</summary>
public static class ConformanceImages
{
    /// <summary>
    /// busybox + an app layer (zstd) + a layer with a whiteout and a hardlink (uncompressed). Docker schema 2
    /// has no zstd or uncompressed layer types here, so <paramref name="gzipOnly"/> (or the Docker format) makes every layer gzip.
    /// </summary>
    public static TestImage MultiLayer(ImageFormat format = ImageFormat.Oci, string message = "hello from the registry",
        bool gzipOnly = false)
    {
        var oci = format == ImageFormat.Oci && !gzipOnly;
        return ImageBuilder.FromBusybox()
            .Format(format)
            .Layer(l => l
                .File("app/message.txt", message)
                .File("app/run.sh", "#!/bin/sh\ncat /app/message.txt\n", mode: TarItem.DefaultDirectoryMode)
                .Directory("app/data", uid: 1000, gid: 1000)
                .CompressedWith(oci ? LayerCompression.Zstd : LayerCompression.Gzip))
            .Layer(l => l
                .Whiteout("bin/wc")
                .File("app/extra.txt", "extra")
                .Hardlink("app/message-link.txt", "app/message.txt")
                .CompressedWith(oci ? LayerCompression.None : LayerCompression.Gzip))
            .Env("GREETING", message).Entrypoint("/bin/sh").Cmd("/app/run.sh").WorkingDir("/app")
            .Build();
    }

    /// <summary>An image whose only entrypoint prints <paramref name="message"/> (for podman run).</summary>
    public static TestImage Echo(string message, ImageFormat format = ImageFormat.Oci) => ImageBuilder.FromBusybox()
        .Format(format)
        .Layer(l => l.File("message.txt", message))
        .Cmd("/bin/cat", "/message.txt")
        .Build();
}
