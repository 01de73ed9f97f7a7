namespace ActorVisor.Config.Hocon;

/// <summary>A value of an object's field and the place its key was last written.</summary>
internal readonly record struct Field(HoconValue Value, ConfigOrigin KeyOrigin);

/// <summary>
/// The fields of one object in insertion order. Most configuration objects have a handful of
/// keys, so lookups scan two small arrays; a hash index is built only past
/// <see cref="IndexThreshold"/> keys. Invariant: when the index exists it maps every key to its
/// position in the arrays.
/// </summary>
internal sealed class FieldTable
{
    private const int IndexThreshold = 8;

    private string[] _keys = [];
    private Field[] _values = [];
    private Dictionary<string, int>? _index;

    public int Count { get; private set; }

    public string KeyAt(int i) => _keys[i];

    public Field At(int i) => _values[i];

    public int IndexOf(string key)
    {
        if (_index is not null)
        {
            return _index.TryGetValue(key, out var i) ? i : -1;
        }
        for (var i = 0; i < Count; i++)
        {
            if (string.Equals(_keys[i], key, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    public bool TryGetValue(string key, out Field field)
    {
        var i = IndexOf(key);
        field = i >= 0 ? _values[i] : default;
        return i >= 0;
    }

    public Field this[string key]
    {
        set
        {
            var i = IndexOf(key);
            if (i >= 0)
            {
                _values[i] = value;
                return;
            }
            if (Count == _keys.Length)
            {
                var capacity = Math.Max(4, Count * 2);
                Array.Resize(ref _keys, capacity);
                Array.Resize(ref _values, capacity);
            }
            _keys[Count] = key;
            _values[Count] = value;
            _index?.Add(key, Count);
            Count++;
            if (_index is null && Count > IndexThreshold)
            {
                _index = new Dictionary<string, int>(Count * 2, StringComparer.Ordinal);
                for (var k = 0; k < Count; k++)
                {
                    _index[_keys[k]] = k;
                }
            }
        }
    }

    public void Remove(string key)
    {
        var i = IndexOf(key);
        if (i < 0)
        {
            return;
        }
        Array.Copy(_keys, i + 1, _keys, i, Count - i - 1);
        Array.Copy(_values, i + 1, _values, i, Count - i - 1);
        Count--;
        _keys[Count] = null!;
        _values[Count] = default;
        if (_index is not null)
        {
            _index.Clear();
            for (var k = 0; k < Count; k++)
            {
                _index[_keys[k]] = k;
            }
        }
    }
}
