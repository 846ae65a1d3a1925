using System.Text.Json.Serialization;
using RuntimeAgent.Store;

namespace RuntimeAgent.Registry;

/// <summary>Source-generated JSON for every document the agent reads or writes (NativeAOT: no reflection).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ManifestDocument))]
[JsonSerializable(typeof(ImageConfigDocument))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(ImageRecord))]
[JsonSerializable(typeof(CredentialFile))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
