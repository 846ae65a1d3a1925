using System.Text.Json;

namespace Registry.Tests.Conformance;

/// <summary>skopeo with a private policy and registries.conf, speaking plain HTTP to loopback registries.</summary>
public static class Skopeo
{
    public static Task<string> RunAsync(params string[] arguments) =>
        ExternalTool.RunAsync("skopeo", ["--policy", ContainersConfig.PolicyPath, .. arguments], ContainersConfig.Environment);

    public static Task<ExternalTool.Result> TryRunAsync(params string[] arguments) =>
        ExternalTool.TryRunAsync("skopeo", ["--policy", ContainersConfig.PolicyPath, .. arguments], ContainersConfig.Environment);

    /// <summary><c>skopeo copy</c> with TLS off on both sides; <paramref name="options"/> go before the references.</summary>
    public static Task<string> CopyAsync(string source, string destination, params string[] options) =>
        RunAsync(["copy", "--src-tls-verify=false", "--dest-tls-verify=false", .. options, source, destination]);

    public static async Task<JsonElement> InspectAsync(string reference, params string[] options) =>
        JsonDocument.Parse(await RunAsync(["inspect", "--tls-verify=false", .. options, reference])).RootElement;

    public static Task<string> InspectRawAsync(string reference) =>
        RunAsync("inspect", "--tls-verify=false", "--raw", reference);

    public static async Task<IReadOnlyList<string>> ListTagsAsync(string repositoryReference)
    {
        var json = JsonDocument.Parse(await RunAsync("list-tags", "--tls-verify=false", repositoryReference)).RootElement;
        return json.GetProperty("Tags").EnumerateArray().Select(tag => tag.GetString()!).ToList();
    }

    public static Task<string> DeleteAsync(string reference) => RunAsync("delete", "--tls-verify=false", reference);
}
