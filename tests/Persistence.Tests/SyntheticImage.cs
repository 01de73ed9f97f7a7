using ActorVisor.Hypervisor.Snapshots;

namespace ActorVisor.Persistence.Tests;

/// <summary>
/// A domain image made up for tests: random pages, zero pages (never visited, as the contract
/// says) and pages that repeat another's content; <see cref="FailAfterPages"/> makes a visit throw
/// midway, as a save that dies would.
/// </summary>
internal sealed class SyntheticImage : IPageSource
{
    public SyntheticImage(long frames, int seed, double zeroShare = 0.25, double duplicateShare = 0.25)
    {
        var random = new Random(seed);
        FrameCount = frames;
        for (long pfn = 0; pfn < frames; pfn++)
        {
            var draw = random.NextDouble();
            if (draw < zeroShare)
            {
                continue;
            }
            var page = new byte[DomainImage.PageSize];
            if (draw < zeroShare + duplicateShare && Pages.Count > 0)
            {
                Pages.Values.ElementAt(random.Next(Pages.Count)).CopyTo(page, 0);
            }
            else
            {
                FillGuestLike(random, page);
            }
            Pages[pfn] = page;
        }
    }

    /// <summary>Non-zero pages by pfn; the rest are zero.</summary>
    public SortedDictionary<long, byte[]> Pages { get; } = [];

    public long FrameCount { get; }

    public int? FailAfterPages { get; set; }

    public int DistinctPages => Pages.Values.Select(Convert.ToHexString).Distinct().Count();

    public void ForEachPage(PageVisitor visit)
    {
        var visited = 0;
        foreach (var (pfn, page) in Pages)
        {
            if (visited++ == FailAfterPages)
            {
                throw new IOException($"synthetic failure after {FailAfterPages} pages");
            }
            visit(pfn, page);
        }
    }

    /// <summary>Gives <paramref name="count"/> pages new random content.</summary>
    public void Touch(int count, int seed)
    {
        var random = new Random(seed);
        foreach (var pfn in Pages.Keys.OrderBy(_ => random.Next()).Take(count).ToList())
        {
            FillGuestLike(random, Pages[pfn]);
        }
    }

    public DomainImage Image(string domain) => new()
    {
        DomainName = domain,
        VirtualTimeNs = 123_456_789,
        Sections = [new StateSection("vcpu/0", 2, [1, 2, 3, 4]), new StateSection("domain", 1, new byte[5000])],
        Memory = this,
    };

    /// <summary>Half random bytes, half a repeated pattern, so that pages compress somewhat, as a guest's do.</summary>
    private static void FillGuestLike(Random random, byte[] page)
    {
        random.NextBytes(page.AsSpan(0, page.Length / 2));
        var word = (byte)random.Next(1, 256);
        page.AsSpan(page.Length / 2).Fill(word);
    }

    /// <summary>Every non-zero page of <paramref name="source"/>, copied.</summary>
    public static SortedDictionary<long, byte[]> Read(IPageSource source)
    {
        var pages = new SortedDictionary<long, byte[]>();
        source.ForEachPage((pfn, page) => pages.Add(pfn, page.ToArray()));
        return pages;
    }

    public static void AssertSamePages(SortedDictionary<long, byte[]> expected, IPageSource actual)
    {
        var read = Read(actual);
        Assert.Equal(expected.Keys, read.Keys);
        foreach (var (pfn, page) in expected)
        {
            Assert.True(page.AsSpan().SequenceEqual(read[pfn]), $"pfn {pfn} differs after the round trip");
        }
    }
}
