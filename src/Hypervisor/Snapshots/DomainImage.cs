namespace ActorVisor.Hypervisor.Snapshots;

/// <summary>
/// Everything needed to rebuild a domain, in memory and free of host handles: the small state
/// sections of each component and the memory as a page source. Capture produces one from a paused
/// domain; the snapshot store (src/Persistence) keeps the sections in its snapshot record and the
/// pages as content-addressed chunks; restore takes one and builds a new domain from it.
/// </summary>
public sealed class DomainImage
{
    /// <summary>The version of this envelope (the list of sections and what they mean together).</summary>
    public const int FormatVersion = 1;

    public const int PageSize = 4096;

    public required string DomainName { get; init; }

    /// <summary>The envelope version the image was written with; restore refuses one it does not know.</summary>
    public int Version { get; init; } = FormatVersion;

    /// <summary>Virtual time of the domain when it was captured, in nanoseconds.</summary>
    public long VirtualTimeNs { get; init; }

    public required IReadOnlyList<StateSection> Sections { get; init; }

    public required IPageSource Memory { get; init; }

    /// <summary>The section named <paramref name="name"/>, or null.</summary>
    public StateSection? Section(string name)
    {
        foreach (var section in Sections)
        {
            if (section.Name == name)
            {
                return section;
            }
        }

        return null;
    }
}
