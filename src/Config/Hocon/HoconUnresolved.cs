namespace ActorVisor.Config.Hocon;

/// <summary>
/// A substitution <c>${path}</c> or <c>${?path}</c>. It is looked up in the whole configuration
/// when the tree is resolved, then in the environment. A substitution written in an included file
/// carries the include point as <see cref="IncludePrefix"/> and is looked up there first.
/// </summary>
public sealed class HoconSubstitution : HoconValue
{
    public HoconSubstitution(ConfigPath path, bool optional, ConfigOrigin origin)
        : base(origin)
    {
        Path = path;
        Optional = optional;
    }

    public ConfigPath Path { get; }

    public bool Optional { get; }

    /// <summary>The path of the include statement that brought this substitution in, or the root.</summary>
    public ConfigPath IncludePrefix { get; init; } = ConfigPath.Root;

    /// <summary>
    /// True for a self-reference (<c>path = ${path} [x]</c>) that had no earlier value in the
    /// document: only the environment can define it.
    /// </summary>
    public bool EnvironmentOnly { get; init; }

    public override bool IsResolved => false;

    public override string Describe() => "${" + (Optional ? "?" : "") + Path + "}";

    internal override HoconValue DeepClone() => this;
}

/// <summary>
/// Values written next to each other (<c>"a" ${b} c</c>, <c>[1] [2]</c>, <c>${base} { x = 1 }</c>).
/// Whitespace between parts is kept as <see cref="HoconScalar"/> parts marked as whitespace: it
/// counts in a string concatenation and is ignored otherwise.
/// </summary>
public sealed class HoconConcatenation : HoconValue
{
    public HoconConcatenation(IReadOnlyList<HoconValue> parts, ConfigOrigin origin)
        : base(origin)
    {
        Parts = parts;
    }

    public IReadOnlyList<HoconValue> Parts { get; }

    public override bool IsResolved => false;

    public override string Describe() => "a concatenation";

    internal override HoconValue DeepClone() => new HoconConcatenation(Parts.Select(p => p.DeepClone()).ToList(), Origin);
}

/// <summary>
/// A stack of values written to the same key, newest first, where the newest is not yet known to
/// be an object (it holds a substitution). Resolution decides: an object merges with the objects
/// below it, an undefined optional substitution lets the older value show through, anything else wins.
/// </summary>
public sealed class HoconDelayedMerge : HoconValue
{
    private HoconDelayedMerge(IReadOnlyList<HoconValue> stack, ConfigOrigin origin)
        : base(origin)
    {
        Stack = stack;
    }

    public IReadOnlyList<HoconValue> Stack { get; }

    public static HoconDelayedMerge Of(HoconValue newer, HoconValue older)
    {
        var stack = new List<HoconValue>();
        Add(stack, newer);
        Add(stack, older);
        return new HoconDelayedMerge(stack, newer.Origin);

        static void Add(List<HoconValue> stack, HoconValue value)
        {
            if (value is HoconDelayedMerge merge)
            {
                stack.AddRange(merge.Stack);
            }
            else
            {
                stack.Add(value);
            }
        }
    }

    public override bool IsResolved => false;

    public override string Describe() => "a merge";

    internal override HoconValue DeepClone() => new HoconDelayedMerge(Stack.Select(v => v.DeepClone()).ToList(), Origin);
}
