// The agent runs only on Linux (namespaces, overlayfs, pivot_root).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
