namespace FnzChain.Ledger.State;

/// <summary>
/// The height at which a value was committed: block number, then transaction number within the block.
/// Ordered first by block, then by transaction, as Fabric's <c>version.Height</c>.
/// </summary>
public readonly record struct Version(ulong BlockNumber, ulong TxNumber) : IComparable<Version>
{
    public int CompareTo(Version other)
    {
        var byBlock = BlockNumber.CompareTo(other.BlockNumber);
        return byBlock != 0 ? byBlock : TxNumber.CompareTo(other.TxNumber);
    }

    public static bool operator <(Version left, Version right) => left.CompareTo(right) < 0;

    public static bool operator >(Version left, Version right) => left.CompareTo(right) > 0;

    public static bool operator <=(Version left, Version right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Version left, Version right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{BlockNumber}:{TxNumber}";
}
