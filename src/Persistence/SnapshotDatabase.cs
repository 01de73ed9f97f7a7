namespace ActorVisor.Persistence;

/// <summary>The SQL database a <see cref="SqlSnapshotStore"/> keeps its registry and chunks in.</summary>
public enum SnapshotDatabase
{
    /// <summary>An embedded SQLite file (linq2db provider <c>SQLite.MS</c>), the default.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server (linq2db provider <c>PostgreSQL.15</c>), for production.</summary>
    PostgreSql,
}

/// <summary>Where a <see cref="SqlSnapshotStore"/> keeps its data.</summary>
/// <param name="Database">Which database the connection string is for.</param>
/// <param name="ConnectionString">An ADO.NET connection string (Microsoft.Data.Sqlite's or Npgsql's).</param>
public sealed record SnapshotStoreOptions(SnapshotDatabase Database, string ConnectionString)
{
    /// <summary>The SQLite database file's name inside the data folder.</summary>
    public const string SqliteFileName = "actorvisor.db";

    /// <summary>SQLite in <paramref name="dataDirectory"/>/actorvisor.db; the folder is created when missing.</summary>
    public static SnapshotStoreOptions SqliteIn(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        return new SnapshotStoreOptions(SnapshotDatabase.Sqlite, $"Data Source={Path.Combine(dataDirectory, SqliteFileName)}");
    }

    /// <summary>linq2db's provider name for <see cref="Database"/>.</summary>
    public string ProviderName => Database switch
    {
        SnapshotDatabase.Sqlite => LinqToDB.ProviderName.SQLiteMS,
        SnapshotDatabase.PostgreSql => LinqToDB.ProviderName.PostgreSQL15,
        _ => throw new ArgumentOutOfRangeException(nameof(Database), Database, "unknown snapshot database"),
    };
}
