namespace ActorVisor.Host.Domains;

/// <summary>
/// An interdomain event channel the toolstack sets up between two named domains, as xl and
/// XenStore would. Whichever of the two is built first gets an unbound port allocated for the
/// other (the word <c>evtchn=listen:D:P</c> on its command line); the one built second is told
/// to bind to it (<c>evtchn=bind:D:P</c>).
/// </summary>
public sealed record EventChannelPair(string First, string Second)
{
    /// <summary>The other end of the pair seen from <paramref name="name"/>, or null when the pair does not involve it.</summary>
    public string? PeerOf(string name) => name == First ? Second : name == Second ? First : null;

    /// <summary>
    /// Reads the pairs a scenario asks for: every word <c>peer=NAME</c> in a domain's command line
    /// asks for a channel between that domain and NAME; a pair named from both sides is one channel.
    /// </summary>
    public static IReadOnlyList<EventChannelPair> FromCommandLines(IEnumerable<(string Name, string Cmdline)> domains)
    {
        ArgumentNullException.ThrowIfNull(domains);
        var pairs = new List<EventChannelPair>();
        foreach (var (name, cmdline) in domains)
        {
            foreach (var word in cmdline.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!word.StartsWith("peer=", StringComparison.Ordinal) || word.Length == 5)
                {
                    continue;
                }

                string peer = word[5..];
                if (peer != name && !pairs.Any(p => p.PeerOf(name) == peer))
                {
                    pairs.Add(new EventChannelPair(name, peer));
                }
            }
        }

        return pairs;
    }
}
