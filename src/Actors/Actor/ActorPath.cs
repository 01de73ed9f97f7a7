namespace ActorVisor.Actors;

/// <summary>
/// The name of an actor in its system's tree, like <c>actorvisor://sys/user/hypervisor/dom3/vcpu0</c>.
/// Paths compare by their text; two incarnations of an actor with the same name share a path.
/// </summary>
public sealed class ActorPath : IEquatable<ActorPath>
{
    private readonly string _systemName;
    private string? _text;

    private ActorPath(string systemName, ActorPath? parent, string name)
    {
        _systemName = systemName;
        Parent = parent;
        Name = name;
    }

    /// <summary>Gets the parent path, or null for the root.</summary>
    public ActorPath? Parent { get; }

    /// <summary>Gets the last element of the path ("" for the root).</summary>
    public string Name { get; }

    /// <summary>Gets the address part, <c>actorvisor://systemName</c>.</summary>
    public string Address => "actorvisor://" + _systemName;

    /// <summary>Gets the elements below the root, from the top down.</summary>
    public IReadOnlyList<string> Elements
    {
        get
        {
            var list = new List<string>();
            for (var p = this; p.Parent is not null; p = p.Parent)
            {
                list.Add(p.Name);
            }
            list.Reverse();
            return list;
        }
    }

    /// <summary>Creates the root path of a system.</summary>
    public static ActorPath Root(string systemName) => new(systemName, null, "");

    /// <summary>Creates the path of a child named <paramref name="name"/>.</summary>
    public ActorPath Child(string name) => new(_systemName, this, name);

    /// <summary>Returns the path without the address, like <c>/user/a/b</c>.</summary>
    public string ToStringWithoutAddress()
    {
        if (_text is null)
        {
            _text = Parent is null ? "/" : (Parent.Parent is null ? "" : Parent.ToStringWithoutAddress()) + "/" + Name;
        }
        return _text;
    }

    public override string ToString() => Address + ToStringWithoutAddress();

    public bool Equals(ActorPath? other) => other is not null && other._systemName == _systemName && other.ToStringWithoutAddress() == ToStringWithoutAddress();

    public override bool Equals(object? obj) => obj is ActorPath other && Equals(other);

    public override int GetHashCode() => ToStringWithoutAddress().GetHashCode(StringComparison.Ordinal);
}
