using ActorVisor.Hypervisor.Snapshots;

namespace ActorVisor.Persistence.Export;

/// <summary>
/// <c>export FILE</c> and <c>import FILE</c>: a stored snapshot to one self-contained
/// <see cref="SnapshotFile"/>, and back. Both are whole or nothing: an export is written beside
/// the target and renamed over it when complete; an import saves through the store, which commits
/// only a whole snapshot, so a corrupt or truncated file leaves the store as it was.
/// </summary>
public static class SnapshotExchange
{
    /// <summary>Writes snapshot <paramref name="name"/> to <paramref name="path"/>; false when the store has no such snapshot.</summary>
    public static async Task<bool> ExportAsync(ISnapshotStore store, string name, string path, IProgress<double>? progress = null, CancellationToken cancel = default)
    {
        var image = await store.LoadAsync(name, cancel).ConfigureAwait(false);
        if (image is null)
        {
            return false;
        }
        var partial = path + ".partial";
        await Task.Run(() =>
        {
            try
            {
                using (var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
                {
                    SnapshotFileWriter.Write(stream, name, image, progress, cancel);
                    stream.Flush(flushToDisk: true);
                }
                File.Move(partial, path, overwrite: true);
            }
            catch
            {
                File.Delete(partial);
                throw;
            }
        }, cancel).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Checks <paramref name="path"/> and saves it into <paramref name="store"/> under
    /// <paramref name="name"/>, or under the name it was exported with when that is null.
    /// </summary>
    public static async Task<SnapshotInfo> ImportAsync(ISnapshotStore store, string path, string? name = null, IProgress<double>? progress = null, CancellationToken cancel = default)
    {
        var exported = await Task.Run(() => SnapshotFileReader.Open(path), cancel).ConfigureAwait(false);
        return await store.SaveAsync(name ?? exported.SnapshotName, exported.Image, progress, cancel).ConfigureAwait(false);
    }

    /// <summary>Reads an exported file's header and sections (its pages are read when visited).</summary>
    public static DomainImage Read(string path) => SnapshotFileReader.Open(path).Image;
}
