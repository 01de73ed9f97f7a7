namespace ActorVisor.Persistence.Tests;

/// <summary>The store on a real PostgreSQL server (ACTORVISOR_POSTGRES, see <see cref="PostgresFactAttribute"/>).</summary>
public sealed class PostgresSnapshotStoreTests : SnapshotStoreContract
{
    protected override SnapshotStoreOptions Options => new(SnapshotDatabase.PostgreSql, PostgresFactAttribute.ConnectionString);

    [PostgresFact]
    public Task Round_trip_gives_back_every_byte() => Round_trip_gives_back_every_byte_body();

    [PostgresFact]
    public Task A_second_snapshot_after_one_percent_changes_stores_one_percent_new_chunks() => A_second_snapshot_after_one_percent_changes_stores_one_percent_new_chunks_body();

    [PostgresFact]
    public Task A_failed_save_leaves_the_previous_snapshot_of_the_name_whole() => A_failed_save_leaves_the_previous_snapshot_of_the_name_whole_body();

    [PostgresFact]
    public Task A_corrupt_chunk_is_refused_naming_the_pfn() => A_corrupt_chunk_is_refused_naming_the_pfn_body();

    [PostgresFact]
    public Task List_and_delete() => List_and_delete_body();
}
