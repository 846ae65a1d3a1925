using Registry.Oci;

namespace Registry.Tests.TestImages;

/// <summary>
/// Builds a single-platform test image: layers from <see cref="LayerSpec"/>s, an image config and an OCI
/// or Docker schema 2 manifest. Deterministic: the same calls give the same digests.
/// <code>
/// var image = ImageBuilder.FromBusybox()
///     .Layer(l => l.File("app/hello.txt", "hi").Whiteout("etc/group"))
///     .Entrypoint("/bin/sh", "-c").Cmd("cat /app/hello.txt")
///     .Build();
/// </code>
/// </summary>
public sealed class ImageBuilder
{
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private readonly List<LayerSpec> _layers = [];
    private readonly List<KeyValuePair<string, string>> _env = [new("PATH", DefaultPath)];
    private readonly Dictionary<string, string> _labels = [];
    private readonly Dictionary<string, string> _annotations = [];
    private string[]? _entrypoint;
    private string[]? _cmd;
    private string? _workingDir;
    private string? _user;
    private (string[] Test, TimeSpan Interval)? _healthcheck;
    private ImageFormat _format = ImageFormat.Oci;
    private Platform _platform = new(); // linux/amd64
    private string? _artifactType;
    private Descriptor? _subject;

    /// <summary>An image whose first layer is <see cref="BusyboxBase.Layer"/>.</summary>
    public static ImageBuilder FromBusybox() => new ImageBuilder().Layer(BusyboxBase.Layer());

    public ImageBuilder Layer(LayerSpec layer) { _layers.Add(layer); return this; }

    public ImageBuilder Layer(Action<LayerSpec> describe)
    {
        var layer = new LayerSpec();
        describe(layer);
        return Layer(layer);
    }

    /// <summary>Sets (or replaces) one environment variable of the config.</summary>
    public ImageBuilder Env(string name, string value)
    {
        _env.RemoveAll(pair => pair.Key == name);
        _env.Add(new(name, value));
        return this;
    }

    public ImageBuilder Entrypoint(params string[] entrypoint) { _entrypoint = entrypoint; return this; }
    public ImageBuilder Cmd(params string[] cmd) { _cmd = cmd; return this; }
    public ImageBuilder WorkingDir(string directory) { _workingDir = directory; return this; }
    public ImageBuilder User(string user) { _user = user; return this; }
    public ImageBuilder Label(string name, string value) { _labels[name] = value; return this; }

    /// <summary>Docker's Healthcheck field: <paramref name="test"/> as stored (<c>CMD-SHELL</c>, text), run every <paramref name="interval"/>.</summary>
    public ImageBuilder Healthcheck(TimeSpan interval, params string[] test) { _healthcheck = (test, interval); return this; }
    public ImageBuilder Format(ImageFormat format) { _format = format; return this; }
    public ImageBuilder Platform(Platform platform) { _platform = platform; return this; }

    /// <summary>Manifest annotations (OCI only).</summary>
    public ImageBuilder Annotation(string name, string value) { _annotations[name] = value; return this; }

    /// <summary>The manifest's <c>artifactType</c> (OCI only), for referrers.</summary>
    public ImageBuilder ArtifactType(string artifactType) { _artifactType = artifactType; return this; }

    /// <summary>The manifest's <c>subject</c> (OCI only): makes this image a referrer of another manifest.</summary>
    public ImageBuilder Subject(Descriptor subject) { _subject = subject; return this; }

    public TestImage Build()
    {
        if (_format == ImageFormat.Docker && (_artifactType is not null || _subject is not null || _annotations.Count > 0))
            throw new InvalidOperationException("artifactType, subject and annotations exist only in OCI manifests");
        var layers = _layers.Select(BuiltLayer.From).ToList();
        var layerBlobs = layers.Select(layer => new TestBlob(LayerMediaType(layer.Compression), layer.Bytes)).ToList();
        var config = new TestBlob(_format == ImageFormat.Oci ? MediaTypes.OciConfig : MediaTypes.DockerConfig, ConfigJson(layers));
        var manifestType = _format == ImageFormat.Oci ? MediaTypes.OciManifest : MediaTypes.DockerManifest;
        var manifest = ImageJson.Write(writer =>
        {
            writer.WriteNumber("schemaVersion", 2);
            writer.WriteString("mediaType", manifestType);
            if (_artifactType is not null) writer.WriteString("artifactType", _artifactType);
            writer.WritePropertyName("config");
            ImageJson.Descriptor(writer, config.Descriptor);
            writer.WriteStartArray("layers");
            foreach (var blob in layerBlobs) ImageJson.Descriptor(writer, blob.Descriptor);
            writer.WriteEndArray();
            if (_subject is not null)
            {
                writer.WritePropertyName("subject");
                ImageJson.Descriptor(writer, _subject);
            }
            ImageJson.Map(writer, "annotations", _annotations);
        });
        return new TestImage(manifestType, manifest, config, layers, layerBlobs);
    }

    private string LayerMediaType(LayerCompression compression) => (_format, compression) switch
    {
        (ImageFormat.Oci, LayerCompression.None) => MediaTypes.OciLayerTar,
        (ImageFormat.Oci, LayerCompression.Gzip) => MediaTypes.OciLayerGzip,
        (ImageFormat.Oci, LayerCompression.Zstd) => MediaTypes.OciLayerZstd,
        (ImageFormat.Docker, LayerCompression.Gzip) => MediaTypes.DockerLayerGzip,
        _ => throw new InvalidOperationException($"Docker schema 2 images here use gzip layers only, not {compression}"),
    };

    private byte[] ConfigJson(IReadOnlyList<BuiltLayer> layers) => ImageJson.Write(writer =>
    {
        writer.WriteString("created", TarItem.Epoch);
        writer.WriteString("architecture", _platform.Architecture);
        writer.WriteString("os", _platform.Os);
        if (_platform.Variant is not null) writer.WriteString("variant", _platform.Variant);
        writer.WriteStartObject("config");
        if (_user is not null) writer.WriteString("User", _user);
        ImageJson.Strings(writer, "Env", _env.Select(pair => $"{pair.Key}={pair.Value}").ToList());
        ImageJson.Strings(writer, "Entrypoint", _entrypoint);
        ImageJson.Strings(writer, "Cmd", _cmd);
        if (_workingDir is not null) writer.WriteString("WorkingDir", _workingDir);
        ImageJson.Map(writer, "Labels", _labels);
        if (_healthcheck is var (test, interval))
        {
            writer.WriteStartObject("Healthcheck");
            ImageJson.Strings(writer, "Test", test);
            writer.WriteNumber("Interval", interval.Ticks * 100); // nanoseconds, as Docker stores durations
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.WriteStartObject("rootfs");
        writer.WriteString("type", "layers");
        ImageJson.Strings(writer, "diff_ids", layers.Select(layer => layer.DiffId.ToString()).ToList());
        writer.WriteEndObject();
        writer.WriteStartArray("history");
        foreach (var layer in layers)
        {
            writer.WriteStartObject();
            writer.WriteString("created", TarItem.Epoch);
            writer.WriteString("created_by", layer.CreatedBy);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    });
}
