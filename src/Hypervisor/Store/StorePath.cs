using System.Globalization;
using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Store;

/// <summary>
/// XenStore path rules: absolute paths start with '/', relative ones are under the caller's
/// home /local/domain/&lt;id&gt;; a path is made of the characters A-Z a-z 0-9 - / _ @, has no
/// empty component and no trailing '/' (except the root "/"); absolute paths are at most 3072
/// characters, relative ones 2048. Watch paths may also be the special names starting with '@'.
/// </summary>
public static class StorePath
{
    public const int MaxAbsoluteLength = 3072;
    public const int MaxRelativeLength = 2048;
    public const string IntroduceDomain = "@introduceDomain";
    public const string ReleaseDomain = "@releaseDomain";

    /// <summary>The home of a domain, where its relative paths point.</summary>
    public static string DomainPath(DomId domain) => "/local/domain/" + domain.Value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Turns a client's path into a checked absolute one, or returns false if it is malformed.</summary>
    public static bool TryResolve(DomId caller, string path, out string absolute)
    {
        absolute = "";
        if (path.Length == 0 || path[0] == '@')
        {
            return false;
        }

        bool relative = path[0] != '/';
        if (path.Length > (relative ? MaxRelativeLength : MaxAbsoluteLength))
        {
            return false;
        }

        string full = relative ? DomainPath(caller) + "/" + path : path;
        if (!IsWellFormed(full))
        {
            return false;
        }

        absolute = full;
        return true;
    }

    /// <summary>Resolves a watch path: a node path, or one of the special '@' names.</summary>
    public static bool TryResolveWatch(DomId caller, string path, out string absolute)
    {
        if (path is IntroduceDomain or ReleaseDomain)
        {
            absolute = path;
            return true;
        }

        return TryResolve(caller, path, out absolute);
    }

    public static string Parent(string absolute)
    {
        int slash = absolute.LastIndexOf('/');
        return slash <= 0 ? "/" : absolute[..slash];
    }

    public static string[] Components(string absolute) => absolute == "/" ? [] : absolute[1..].Split('/');

    /// <summary>True if <paramref name="path"/> is <paramref name="ancestor"/> or lies below it.</summary>
    public static bool IsAtOrBelow(string path, string ancestor) =>
        path == ancestor || ancestor == "/" || (path.StartsWith(ancestor, StringComparison.Ordinal) && path.Length > ancestor.Length && path[ancestor.Length] == '/');

    private static bool IsWellFormed(string path)
    {
        if (path[0] != '/')
        {
            return false;
        }

        if (path == "/")
        {
            return true;
        }

        if (path[^1] == '/')
        {
            return false;
        }

        char previous = '\0';
        foreach (char c in path)
        {
            bool allowed = char.IsAsciiLetterOrDigit(c) || c is '-' or '/' or '_' or '@';
            if (!allowed || (c == '/' && previous == '/'))
            {
                return false;
            }

            previous = c;
        }

        return true;
    }
}
