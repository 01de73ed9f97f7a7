namespace ActorVisor.Config;

/// <summary>Where a value or an error comes from: a file (or a description such as "reference.conf") and a 1-based line and column.</summary>
public readonly record struct ConfigOrigin(string File, int Line, int Column)
{
    public static ConfigOrigin None => new("<none>", 0, 0);

    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}
