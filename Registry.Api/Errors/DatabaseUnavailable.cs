using System.Data.Common;
using Npgsql;

namespace Registry.Api.Errors;

/// <summary>
/// Recognises a metadata database that cannot be reached (server down, restarting, refusing connections),
/// however EF Core wrapped it, so the API answers 503 UNAVAILABLE rather than 500: the client should retry,
/// and the registry recovers by itself when the database is back (Npgsql reopens pooled connections).
/// </summary>
public static class DatabaseUnavailable
{
    public static bool Matches(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is PostgresException postgres) return postgres.SqlState.StartsWith("08") || postgres.SqlState.StartsWith("57P");
            if (e is NpgsqlException { IsTransient: true }) return true;
            if (e is DbException { IsTransient: true }) return true;
        }
        return false;
    }
}
