namespace ActorVisor.Persistence.Tests;

/// <summary>
/// A fact that needs the PostgreSQL server whose connection string is in ACTORVISOR_POSTGRES
/// (tools/postgres.sh starts one and prints it; .ci/run exports it). Without it the test runs and
/// fails saying so, unless ACTORVISOR_OFFLINE=1 allows the skip.
/// </summary>
internal sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "ACTORVISOR_POSTGRES";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)) && Environment.GetEnvironmentVariable("ACTORVISOR_OFFLINE") == "1")
        {
            Skip = $"{Variable} is not set (tools/postgres.sh starts a server) and ACTORVISOR_OFFLINE=1 allows the skip";
        }
    }

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{Variable} is not set: run tools/postgres.sh and export the connection string it prints (or set ACTORVISOR_OFFLINE=1 to skip the PostgreSQL tests)");
}
