namespace RuntimeAgent.Unpack;

/// <summary>A layer that may not be unpacked (hostile, corrupt or too large); nothing of it stays on disk.</summary>
public sealed class LayerRefusedException(string message) : Exception(message);
