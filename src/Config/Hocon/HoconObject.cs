namespace ActorVisor.Config.Hocon;

/// <summary>
/// An object: keys in the order they were first written, each with one value and the place the
/// key was last written. Writing a key again merges as HOCON says: two objects merge deeply (the
/// later field wins), anything else replaces, and a value that still holds substitutions is kept
/// with the earlier value as a delayed merge.
/// </summary>
public sealed class HoconObject : HoconValue
{
    private readonly FieldTable _fields = new();

    public HoconObject(ConfigOrigin origin)
        : base(origin)
    {
    }

    /// <summary>The fields in order.</summary>
    public IEnumerable<KeyValuePair<string, HoconValue>> Fields
    {
        get
        {
            for (var i = 0; i < _fields.Count; i++)
            {
                yield return new KeyValuePair<string, HoconValue>(_fields.KeyAt(i), _fields.At(i).Value);
            }
        }
    }

    public IEnumerable<string> Keys
    {
        get
        {
            for (var i = 0; i < _fields.Count; i++)
            {
                yield return _fields.KeyAt(i);
            }
        }
    }

    public int Count => _fields.Count;

    internal string KeyAt(int index) => _fields.KeyAt(index);

    internal HoconValue ValueAt(int index) => _fields.At(index).Value;

    public override bool IsResolved
    {
        get
        {
            for (var i = 0; i < _fields.Count; i++)
            {
                if (!_fields.At(i).Value.IsResolved)
                {
                    return false;
                }
            }
            return true;
        }
    }

    public override string Describe() => "an object";

    public bool TryGetValue(string key, out HoconValue value)
    {
        if (_fields.TryGetValue(key, out var field))
        {
            value = field.Value;
            return true;
        }
        value = null!;
        return false;
    }

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
            current = next.Value;
        }
        return current;
    }

    /// <summary>Where a key was last written (for errors about the key itself); the value's origin when unknown.</summary>
    public ConfigOrigin KeyOriginOf(string key) =>
        _fields.TryGetValue(key, out var field) ? (field.KeyOrigin.Line > 0 ? field.KeyOrigin : field.Value.Origin) : Origin;

    /// <summary>Replaces a value, keeping the key's origin.</summary>
    internal void Set(string key, HoconValue value) =>
        _fields[key] = new Field(value, _fields.TryGetValue(key, out var old) ? old.KeyOrigin : default);

    internal void Remove(string key) => _fields.Remove(key);

    /// <summary>Records that an existing key was written again at <paramref name="keyOrigin"/>, without changing its value.</summary>
    internal void TouchKey(string key, ConfigOrigin keyOrigin)
    {
        if (_fields.TryGetValue(key, out var field))
        {
            _fields[key] = field with { KeyOrigin = keyOrigin };
        }
    }

    /// <summary>
    /// Assigns a field with HOCON's duplicate-key rules (see the type's summary). Two objects merge
    /// in place: this object owns its children, so nothing else can observe the change.
    /// </summary>
    internal void Merge(string key, HoconValue value, ConfigOrigin keyOrigin = default)
    {
        if (!_fields.TryGetValue(key, out var existing))
        {
            _fields[key] = new Field(value, keyOrigin);
            return;
        }
        var origin = keyOrigin.Line > 0 ? keyOrigin : existing.KeyOrigin;
        if (existing.Value is HoconObject existingObject && value is HoconObject newObject)
        {
            existingObject.MergeFieldsOf(newObject);
            _fields[key] = new Field(existingObject, origin);
            return;
        }
        _fields[key] = new Field(Combine(value, existing.Value), origin);
    }

    /// <summary>Merges every field of <paramref name="other"/> into this object, keeping their key origins.</summary>
    internal void MergeFieldsOf(HoconObject other)
    {
        for (var i = 0; i < other._fields.Count; i++)
        {
            var field = other._fields.At(i);
            Merge(other._fields.KeyAt(i), field.Value, field.KeyOrigin);
        }
    }

    /// <summary>The value that results when <paramref name="newer"/> is written over <paramref name="older"/>.</summary>
    internal static HoconValue Combine(HoconValue newer, HoconValue older)
    {
        if (newer is HoconObject newObject && older is HoconObject oldObject)
        {
            var merged = (HoconObject)oldObject.DeepClone();
            merged.Origin = newObject.Origin;
            merged.MergeFieldsOf(newObject);
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
        for (var i = 0; i < _fields.Count; i++)
        {
            var field = _fields.At(i);
            copy._fields[_fields.KeyAt(i)] = new Field(field.Value.DeepClone(), field.KeyOrigin);
        }
        return copy;
    }
}
