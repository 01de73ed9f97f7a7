namespace ActorVisor.Hypervisor.Snapshots;

/// <summary>
/// The one shape of every component's persisted state. A component's state is a plain record
/// (no actor refs, handles or delegates) with a current version; the component's persist file
/// writes it with <see cref="Write"/> and reads it back with <see cref="Read"/>, which checks the
/// section's name and version, runs the component's decoder and checks nothing is left over.
/// Decoding only builds the record; the component's <c>Restore</c> then validates what the record
/// means and builds everything before it changes anything, throwing
/// <see cref="SnapshotFormatException"/> with the reason when the state is refused.
/// </summary>
public static class StateSections
{
    /// <summary>Encodes a state record as a section.</summary>
    public static StateSection Write(string name, int version, Action<StateWriter> encode)
    {
        ArgumentNullException.ThrowIfNull(encode);
        var writer = new StateWriter();
        encode(writer);
        return writer.ToSection(name, version);
    }

    /// <summary>
    /// Decodes a section written by <see cref="Write"/>: it must be present and named
    /// <paramref name="name"/>, its version between 1 and <paramref name="currentVersion"/> (an older
    /// version is the decoder's to read or refuse), and the decoder must read it to the end.
    /// </summary>
    public static T Read<T>(StateSection? section, string name, int currentVersion, Func<StateReader, T> decode)
    {
        ArgumentNullException.ThrowIfNull(decode);
        if (section is null)
        {
            throw new SnapshotFormatException($"the snapshot has no '{name}' section");
        }

        if (section.Name != name)
        {
            throw new SnapshotFormatException($"expected section '{name}', found '{section.Name}'");
        }

        if (section.Version < 1 || section.Version > currentVersion)
        {
            throw new SnapshotFormatException($"section '{name}' has state version {section.Version}; this build reads versions 1 to {currentVersion}");
        }

        var reader = new StateReader(section);
        var state = decode(reader);
        reader.End();
        return state;
    }
}
