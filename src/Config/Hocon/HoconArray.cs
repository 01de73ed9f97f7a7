namespace ActorVisor.Config.Hocon;

/// <summary>An ordered list of values.</summary>
public sealed class HoconArray : HoconValue
{
    private readonly List<HoconValue> _items;

    public HoconArray(IEnumerable<HoconValue> items, ConfigOrigin origin)
        : base(origin)
    {
        _items = items.ToList();
    }

    public IReadOnlyList<HoconValue> Items => _items;

    internal List<HoconValue> MutableItems => _items;

    public override bool IsResolved => _items.TrueForAll(i => i.IsResolved);

    public override string Describe() => "a list";

    internal override HoconValue DeepClone() => new HoconArray(_items.Select(i => i.DeepClone()), Origin);
}
