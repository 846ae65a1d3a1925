using Registry.Oci;
using System.Text.Json.Serialization;
using RuntimeAgent.Store;

namespace RuntimeAgent.Registry;

/// <summary>Source-generated JSON for the agent's own files (OCI documents: Registry.Oci's OciJsonContext).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ImageRecord))]
[JsonSerializable(typeof(CredentialFile))]
[JsonSerializable(typeof(HelperCredentials))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
