namespace ActorVisor.Config.Faults;

/// <summary>Shell-style name patterns for fault targets: <c>*</c> is any run of characters, <c>?</c> one character, everything else itself.</summary>
public static class Glob
{
    public static bool Matches(string pattern, string name)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(name);
        int p = 0, n = 0, star = -1, resume = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == name[n]))
            {
                p++;
                n++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = n;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    public static bool IsPattern(string text) => text.Contains('*', StringComparison.Ordinal) || text.Contains('?', StringComparison.Ordinal);
}
