using System.Net;

namespace FnzChain.Ledger.State.CouchDb;

/// <summary>
/// A CouchDB request that failed for good (after retries where the failure was transient). The message is one line
/// naming the operation, the database and the cause (status and CouchDB's reason, or the transport error), so a peer
/// log or a halted commit says what to fix.
/// </summary>
public sealed class CouchDbException : Exception
{
    public CouchDbException(string message)
        : base(message)
    {
    }

    public CouchDbException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CouchDbException()
    {
    }

    public CouchDbException(string operation, string database, HttpStatusCode? status, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Operation = operation;
        Database = database;
        Status = status;
    }

    /// <summary>The client operation, e.g. <c>bulk_docs</c>, <c>all_docs</c>, <c>find</c>.</summary>
    public string Operation { get; } = "";

    /// <summary>The database the request addressed; empty for server-level requests.</summary>
    public string Database { get; } = "";

    /// <summary>The HTTP status, or null when no answer came (connection refused, timeout, open circuit).</summary>
    public HttpStatusCode? Status { get; }

    /// <summary>True for failures a retry later may cure (no answer, 5xx); false for refusals (4xx).</summary>
    public bool IsTransient => Status is null || (int)Status >= 500;
}
