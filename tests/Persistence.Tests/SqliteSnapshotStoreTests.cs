namespace ActorVisor.Persistence.Tests;

/// <summary>The store on its default database: a SQLite file in a fresh data folder per test.</summary>
public sealed class SqliteSnapshotStoreTests : SnapshotStoreContract, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "actorvisor-store-" + Guid.NewGuid().ToString("N"));

    protected override SnapshotStoreOptions Options => SnapshotStoreOptions.SqliteIn(_folder);

    [Fact]
    public Task Round_trip_gives_back_every_byte() => Round_trip_gives_back_every_byte_body();

    [Fact]
    public Task A_second_snapshot_after_one_percent_changes_stores_one_percent_new_chunks() => A_second_snapshot_after_one_percent_changes_stores_one_percent_new_chunks_body();

    [Fact]
    public Task A_failed_save_leaves_the_previous_snapshot_of_the_name_whole() => A_failed_save_leaves_the_previous_snapshot_of_the_name_whole_body();

    [Fact]
    public Task A_corrupt_chunk_is_refused_naming_the_pfn() => A_corrupt_chunk_is_refused_naming_the_pfn_body();

    [Fact]
    public Task List_and_delete() => List_and_delete_body();

    [Fact]
    public void The_database_file_is_in_the_data_folder()
    {
        var options = SnapshotStoreOptions.SqliteIn(_folder);
        Assert.Equal($"Data Source={Path.Combine(_folder, "actorvisor.db")}", options.ConnectionString);
        Assert.True(Directory.Exists(_folder));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
