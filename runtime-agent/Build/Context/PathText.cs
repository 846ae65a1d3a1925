namespace RuntimeAgent.Build.Context;

/// <summary>Lexical path cleaning shared by .dockerignore matching, COPY sources and image paths.</summary>
public static class PathText
{
    /// <summary>Like Go's filepath.Clean of a relative path: no leading '/', no '.', '..' folded at the root, no doubled '/'.</summary>
    public static string Clean(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    /// <summary>True when a context-relative source climbs out of the context (<c>../x</c>, <c>a/../../x</c>).</summary>
    public static bool EscapesRoot(string path)
    {
        var depth = 0;
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".") continue;
            depth += part == ".." ? -1 : 1;
            if (depth < 0) return true;
        }
        return false;
    }

    /// <summary>Joins an image path onto a working directory, as WORKDIR and COPY destinations do.</summary>
    public static string InImage(string workingDir, string path) =>
        "/" + Clean(path.StartsWith('/') ? path : workingDir.TrimEnd('/') + "/" + path);
}
