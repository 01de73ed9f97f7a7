namespace ActorVisor.Config.Hocon;

/// <summary>What a scalar was written as. Typed getters convert between them as HOCON allows (a quoted "10" reads as a number).</summary>
public enum HoconScalarKind
{
    String,
    Number,
    Boolean,
    Null,
}

/// <summary>A string, number, boolean or null, kept as its original text.</summary>
public sealed class HoconScalar : HoconValue
{
    public HoconScalar(HoconScalarKind kind, string text, ConfigOrigin origin)
        : base(origin)
    {
        Kind = kind;
        Text = text;
    }

    public HoconScalarKind Kind { get; }

    /// <summary>The value as text: the string itself, the number as written, <c>true</c>, <c>false</c> or <c>null</c>.</summary>
    public string Text { get; }

    /// <summary>True for whitespace written between two concatenated values: it counts only when they join as strings.</summary>
    internal bool IsWhitespace { get; init; }

    public override bool IsResolved => true;

    public override string Describe() => Kind == HoconScalarKind.String ? HoconText.Quote(Text) : Text;

    internal override HoconValue DeepClone() => this;
}
