namespace FnzChain.Ledger.State;

/// <summary>Thrown by state databases that cannot evaluate rich (Mango) queries.</summary>
public sealed class RichQueryNotSupportedException : NotSupportedException
{
    public const string DefaultMessage =
        "rich queries (CouchDB Mango selectors) are not supported by the RocksDB state database; configure CouchDB state";

    public RichQueryNotSupportedException()
        : base(DefaultMessage)
    {
    }

    public RichQueryNotSupportedException(string message)
        : base(message)
    {
    }

    public RichQueryNotSupportedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
