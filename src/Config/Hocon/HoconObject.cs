namespace ActorVisor.Config.Hocon;

/// <summary>
/// An object: keys in the order they were first written, each with one value. Writing a key again
/// merges as HOCON says: two objects merge deeply (the later field wins), anything else replaces,
/// and a value that still holds substitutions is kept with the earlier value as a delayed merge.
/// </summary>
public sealed class HoconObject : HoconValue
{
    private readonly OrderedDictionary<string, HoconValue> _fields = new(StringComparer.Ordinal);

    public HoconObject(ConfigOrigin origin)
        : base(origin)
    {
    }

    public IReadOnlyDictionary<string, HoconValue> Fields => _fields;

    public IEnumerable<string> Keys => _fields.Keys;

    public int Count => _fields.Count;

    public override bool IsResolved
    {
        get
        {
            foreach (var pair in _fields)
            {
                if (!pair.Value.IsResolved)
                {
                    return false;
                }
            }
            return true;
        }
    }

    public override string Describe() => "an object";

    public bool TryGetValue(string key, out HoconValue value) => _fields.TryGetValue(key, out value!);

    /// <summary>Follows a path down through nested objects; null when any step is missing or not an object.</summary>
    public HoconValue? Find(ConfigPath path)
    {
        HoconValue current = this;
        foreach (var key in path.Keys)
        {
            if (current is not HoconObject obj || !obj._fields.TryGetValue(key, out var next))
            {
                return null;
            }
            current = next;
        }
        return current;
    }

    internal void Set(string key, HoconValue value) => _fields[key] = value;

    internal void Remove(string key) => _fields.Remove(key);

    /// <summary>
    /// Assigns a field with HOCON's duplicate-key rules (see the type's summary). Two objects merge
    /// in place: this object owns its children, so nothing else can observe the change.
    /// </summary>
    internal void Merge(string key, HoconValue value)
    {
        if (!_fields.TryGetValue(key, out var existing))
        {
            _fields[key] = value;
            return;
        }
        if (existing is HoconObject existingObject && value is HoconObject newObject)
        {
            foreach (var pair in newObject._fields)
            {
                existingObject.Merge(pair.Key, pair.Value);
            }
            return;
        }
        _fields[key] = Combine(value, existing);
    }

    /// <summary>The value that results when <paramref name="newer"/> is written over <paramref name="older"/>.</summary>
    internal static HoconValue Combine(HoconValue newer, HoconValue older)
    {
        if (newer is HoconObject newObject && older is HoconObject oldObject)
        {
            var merged = (HoconObject)oldObject.DeepClone();
            merged.Origin = newObject.Origin;
            foreach (var pair in newObject._fields)
            {
                merged.Merge(pair.Key, pair.Value);
            }
            return merged;
        }
        if (newer is HoconObject && older.IsResolved)
        {
            return newer;
        }
        if (newer is HoconObject || !newer.IsResolved)
        {
            return HoconDelayedMerge.Of(newer, older);
        }
        return newer;
    }

    internal override HoconValue DeepClone()
    {
        var copy = new HoconObject(Origin);
        foreach (var pair in _fields)
        {
            copy._fields[pair.Key] = pair.Value.DeepClone();
        }
        return copy;
    }
}
