namespace ActorVisor.Config.Hocon;

/// <summary>
/// An object: keys in the order they were first written, each with one value. Writing a key again
/// merges as HOCON says: two objects merge deeply (the later field wins), anything else replaces,
/// and a value that still holds substitutions is kept with the earlier value as a delayed merge.
/// </summary>
public sealed class HoconObject : HoconValue
{
    private readonly OrderedDictionary<string, HoconValue> _fields = new(StringComparer.Ordinal);
    private Dictionary<string, ConfigOrigin>? _keyOrigins;

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

    /// <summary>Where a key was last written (for errors about the key itself); the value's origin when unknown.</summary>
    public ConfigOrigin KeyOriginOf(string key) =>
        _keyOrigins is not null && _keyOrigins.TryGetValue(key, out var origin) ? origin
        : _fields.TryGetValue(key, out var value) ? value.Origin : Origin;

    internal void SetKeyOrigin(string key, ConfigOrigin origin)
    {
        _keyOrigins ??= new Dictionary<string, ConfigOrigin>(StringComparer.Ordinal);
        _keyOrigins[key] = origin;
    }

    /// <summary>Copies the key origins of <paramref name="other"/> for the keys it defines.</summary>
    internal void TakeKeyOrigins(HoconObject other)
    {
        if (other._keyOrigins is null)
        {
            return;
        }
        foreach (var pair in other._keyOrigins)
        {
            SetKeyOrigin(pair.Key, pair.Value);
        }
    }

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
            existingObject.TakeKeyOrigins(newObject);
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
            merged.TakeKeyOrigins(newObject);
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
        copy.TakeKeyOrigins(this);
        return copy;
    }
}
