namespace ActorVisor.Config.Hocon;

/// <summary>
/// Replaces every substitution in a document by the value it names. Invariants: the tree is
/// resolved in place, field by field, so a value is resolved once and later lookups see the
/// result; a path is marked while it is being resolved, and meeting a marked path again is a
/// cycle, reported with the chain of paths. A name not found in the document is looked up in the
/// environment; an optional substitution that finds nothing makes its field disappear (or lets an
/// earlier value of the field show through).
/// </summary>
internal sealed class Resolver
{
    private readonly HoconObject _root;
    private readonly Func<string, string?> _environment;
    private readonly List<ConfigPath> _inProgress = [];

    private Resolver(HoconObject root, Func<string, string?> environment)
    {
        _root = root;
        _environment = environment;
    }

    /// <summary>Resolves <paramref name="root"/> in place and returns it.</summary>
    public static HoconObject Resolve(HoconObject root, Func<string, string?> environment)
    {
        if (root.IsResolved)
        {
            return root;
        }
        var resolver = new Resolver(root, environment);
        resolver.ResolveObject(root, ConfigPath.Root);
        return root;
    }

    private void ResolveObject(HoconObject obj, ConfigPath path)
    {
        for (var i = 0; i < obj.Count; i++)
        {
            var key = obj.KeyAt(i);
            var child = obj.ValueAt(i);
            if (child.IsResolved)
            {
                // Nothing below needs a path: resolved subtrees are left as they are.
                continue;
            }
            var childPath = path.Append(key);
            if (child is not HoconObject and not HoconArray)
            {
                child = ResolveField(obj, key, child, childPath);
                if (child is null)
                {
                    // The field was undefined and removed; the next field moved into position i.
                    i--;
                    continue;
                }
            }
            switch (child)
            {
                case HoconObject nested:
                    ResolveObject(nested, childPath);
                    break;
                case HoconArray array:
                    ResolveArray(array, childPath);
                    break;
                default:
                    break;
            }
        }
        if (!obj.IsResolved)
        {
            // A lookup made while resolving a field can resolve or remove earlier siblings and
            // shift positions; another pass picks up any field that was passed over.
            ResolveObject(obj, path);
        }
    }

    private void ResolveArray(HoconArray array, ConfigPath path)
    {
        var items = array.MutableItems;
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].IsResolved)
            {
                continue;
            }
            var value = ResolveValue(items[i], path);
            if (value is null)
            {
                items.RemoveAt(i);
                i--;
                continue;
            }
            items[i] = value;
            if (value is HoconObject nested)
            {
                ResolveObject(nested, path);
            }
            else if (value is HoconArray inner)
            {
                ResolveArray(inner, path);
            }
        }
    }

    private int IndexInProgress(ConfigPath path)
    {
        for (var i = 0; i < _inProgress.Count; i++)
        {
            if (_inProgress[i].Equals(path))
            {
                return i;
            }
        }
        return -1;
    }

    private bool InProgressUnder(ConfigPath path)
    {
        foreach (var p in _inProgress)
        {
            if (p.StartsWith(path))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Resolves the top of one field (not necessarily its children) and stores the result in its object.</summary>
    private HoconValue? ResolveField(HoconObject parent, string key, HoconValue value, ConfigPath path)
    {
        if (value is HoconObject or HoconArray or HoconScalar)
        {
            return value;
        }
        var cycleAt = IndexInProgress(path);
        if (cycleAt >= 0)
        {
            var chain = string.Join(" -> ", _inProgress.Skip(cycleAt).Append(path));
            throw new ConfigException(ConfigError.Message(value.Origin, path.ToString(), $"substitution cycle: {chain}"));
        }
        _inProgress.Add(path);
        var resolved = ResolveValue(value, path);
        _inProgress.RemoveAt(_inProgress.Count - 1);
        if (resolved is null)
        {
            parent.Remove(key);
        }
        else
        {
            parent.Set(key, resolved);
        }
        return resolved;
    }

    /// <summary>The value that <paramref name="value"/> stands for at <paramref name="path"/>, or null when it is undefined.</summary>
    private HoconValue? ResolveValue(HoconValue value, ConfigPath path)
    {
        switch (value)
        {
            case HoconSubstitution substitution:
                return Lookup(substitution, path);
            case HoconConcatenation concatenation:
                var parts = new List<HoconValue?>(concatenation.Parts.Count);
                foreach (var part in concatenation.Parts)
                {
                    parts.Add(part.IsResolved ? part : ResolveValue(part, path));
                }
                var joined = Concatenation.Join(concatenation, parts, path);
                return joined is null || joined.IsResolved ? joined : ResolveValue(joined, path);
            case HoconDelayedMerge merge:
                return ResolveMerge(merge, path);
            case HoconArray array:
                var copy = (HoconArray)array.DeepClone();
                ResolveArray(copy, path);
                return copy;
            case HoconObject obj:
                ResolveObject(obj, path);
                return obj;
            default:
                return value;
        }
    }

    private HoconValue? ResolveMerge(HoconDelayedMerge merge, ConfigPath path)
    {
        HoconValue? result = null;
        foreach (var layer in merge.Stack)
        {
            var resolved = layer.IsResolved ? layer : ResolveValue(layer, path);
            if (resolved is null)
            {
                continue;
            }
            if (result is null)
            {
                result = resolved;
                if (result is not HoconObject)
                {
                    return result;
                }
                continue;
            }
            if (resolved is not HoconObject)
            {
                break;
            }
            result = HoconObject.Combine(result, resolved);
        }
        return result;
    }

    private HoconValue? Lookup(HoconSubstitution substitution, ConfigPath from)
    {
        if (!substitution.EnvironmentOnly)
        {
            if (!substitution.IncludePrefix.IsRoot)
            {
                var relative = Find(substitution.IncludePrefix.Append(substitution.Path));
                if (relative is not null)
                {
                    return relative.DeepClone();
                }
            }
            var found = Find(substitution.Path);
            if (found is not null)
            {
                return found.DeepClone();
            }
        }
        var env = _environment(substitution.Path.ToString());
        if (env is not null)
        {
            return new HoconScalar(HoconScalarKind.String, env, substitution.Origin);
        }
        if (substitution.Optional)
        {
            return null;
        }
        throw new ConfigException(new ConfigError(
            substitution.Origin,
            from.ToString(),
            $"a value for ${{{substitution.Path}}} in the configuration or the environment",
            "nothing"));
    }

    /// <summary>Walks down to <paramref name="path"/>, resolving what lies on the way, and returns its fully resolved value.</summary>
    private HoconValue? Find(ConfigPath path)
    {
        HoconValue current = _root;
        var walked = ConfigPath.Root;
        foreach (var key in path.Keys)
        {
            if (current is not HoconObject obj || !obj.TryGetValue(key, out var child))
            {
                return null;
            }
            walked = walked.Append(key);
            if (!child.IsResolved && child is not HoconObject and not HoconArray)
            {
                var resolved = ResolveField(obj, key, child, walked);
                if (resolved is null)
                {
                    return null;
                }
                child = resolved;
            }
            current = child;
        }
        if (!current.IsResolved)
        {
            if (current is HoconObject && InProgressUnder(path))
            {
                var chain = string.Join(" -> ", _inProgress.Append(path));
                throw new ConfigException(ConfigError.Message(current.Origin, path.ToString(), $"substitution cycle: {chain}"));
            }
            if (current is HoconObject nested)
            {
                ResolveObject(nested, walked);
            }
            else if (current is HoconArray array)
            {
                ResolveArray(array, walked);
            }
        }
        return current;
    }
}
