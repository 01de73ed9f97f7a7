namespace ActorVisor.Config.Hocon;

/// <summary>
/// Joins the parts of a value concatenation once they are known. Strings (and numbers, booleans
/// and nulls, by their text) join with the whitespace written between them; lists append; objects
/// merge, later fields winning. Mixing kinds is an error, and whitespace between lists or objects
/// is ignored.
/// </summary>
internal static class Concatenation
{
    /// <summary>The joined value, or null when every part was an undefined optional substitution.</summary>
    public static HoconValue? Join(HoconConcatenation node, IReadOnlyList<HoconValue?> parts, ConfigPath path)
    {
        var solid = new List<HoconValue>();
        foreach (var part in parts)
        {
            if (part is not null && part is not HoconScalar { IsWhitespace: true })
            {
                solid.Add(part);
            }
        }
        if (solid.Count == 0)
        {
            return null;
        }
        if (solid.Count == 1 && parts.Count(p => p is not null) == 1)
        {
            return solid[0];
        }
        if (solid.TrueForAll(p => p is HoconObject))
        {
            // The parts are owned by the concatenation (or are fresh copies of looked-up values),
            // which this result replaces, so the first object can absorb the others in place.
            var merged = (HoconObject)solid[0];
            for (var i = 1; i < solid.Count; i++)
            {
                merged.MergeFieldsOf((HoconObject)solid[i]);
            }
            merged.Origin = node.Origin;
            return merged;
        }
        if (solid.TrueForAll(p => p is HoconArray))
        {
            return new HoconArray(solid.SelectMany(p => ((HoconArray)p).Items), node.Origin);
        }
        if (solid.TrueForAll(p => p is HoconScalar))
        {
            var sb = new System.Text.StringBuilder();
            foreach (var part in parts)
            {
                if (part is HoconScalar scalar)
                {
                    sb.Append(scalar.Text);
                }
            }
            return new HoconScalar(HoconScalarKind.String, sb.ToString(), node.Origin);
        }
        var kinds = solid.Select(Kind).Distinct().ToList();
        throw new ConfigException(new ConfigError(
            node.Origin,
            path.ToString(),
            "values of one kind to join (all strings, all lists or all objects)",
            string.Join(" and ", kinds)));
    }

    private static string Kind(HoconValue value) => value switch
    {
        HoconObject => "an object",
        HoconArray => "a list",
        _ => "a string",
    };
}
