namespace ActorVisor.Config.Hocon;

/// <summary>
/// What an include statement needs: the directory of the including file (names are relative to
/// it), the chain of files being included (to report include cycles) and the embedded resources
/// that <c>include classpath("...")</c> may name.
/// </summary>
internal sealed class IncludeContext
{
    private readonly List<string> _chain;

    public IncludeContext(string? currentFile)
    {
        _chain = currentFile is null ? [] : [Path.GetFullPath(currentFile)];
        Directory = currentFile is null ? System.IO.Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(currentFile))!;
    }

    private IncludeContext(List<string> chain, string directory)
    {
        _chain = chain;
        Directory = directory;
    }

    public string Directory { get; }

    public IReadOnlyList<string> Chain => _chain;

    public bool IsIncluding(string fullPath) => _chain.Contains(fullPath, StringComparer.Ordinal);

    public IncludeContext Enter(string fullPath) =>
        new([.. _chain, fullPath], Path.GetDirectoryName(fullPath)!);
}
