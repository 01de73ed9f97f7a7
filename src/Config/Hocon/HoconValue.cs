namespace ActorVisor.Config.Hocon;

/// <summary>
/// A node of a configuration tree. After resolution a tree holds only objects, arrays and scalars;
/// before it, substitutions, concatenations and delayed merges may appear (see HoconUnresolved.cs).
/// </summary>
public abstract class HoconValue
{
    protected HoconValue(ConfigOrigin origin)
    {
        Origin = origin;
    }

    /// <summary>Where this value was written.</summary>
    public ConfigOrigin Origin { get; internal set; }

    /// <summary>True when the value and everything below it is free of substitutions.</summary>
    public abstract bool IsResolved { get; }

    /// <summary>A short description for error messages, such as <c>an object</c> or <c>"lots"</c>.</summary>
    public abstract string Describe();

    /// <summary>A deep copy, so that merging into the copy never changes the original.</summary>
    internal abstract HoconValue DeepClone();
}
