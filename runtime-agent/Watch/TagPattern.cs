namespace RuntimeAgent.Watch;

/// <summary>A <c>--tag</c> pattern: <c>*</c> matches any run of characters (<c>v1.*</c>, <c>*-slim</c>).</summary>
public static class TagPattern
{
    public static bool Matches(string pattern, string tag)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < tag.Length)
        {
            if (p < pattern.Length && pattern[p] == '*') { star = p++; resume = t; }
            else if (p < pattern.Length && pattern[p] == tag[t]) { p++; t++; }
            else if (star >= 0) { p = star + 1; t = ++resume; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
