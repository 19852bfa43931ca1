using FnzChain.Ledger.Blocks;
using FnzChain.Ledger.Private;
using FnzChain.Ledger.State;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Ledger.Rwset.Kvrwset;
using FnzChain.Protos.Peer;

using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Ledger.Validation;

/// <summary>
/// The ledger's part of validating a block, after the peer's signature and endorsement-policy checks: duplicate
/// tx ids (within the block and against the index), then for each transaction in order, MVCC versions of its point
/// reads and phantom checks of its range reads, against committed state plus the writes of the earlier valid
/// transactions of the block. Transactions the peer already marked invalid keep their code.
/// </summary>
internal static class MvccValidator
{
    private const int RangePageSize = 1000;

    /// <summary>
    /// Validates <paramref name="txs"/> (after <see cref="MarkDuplicates"/>), updating <paramref name="codes"/> and
    /// <paramref name="reasons"/> in place, and returns the block's state updates.
    /// </summary>
    public static async ValueTask<BlockUpdates> ValidateAsync(
        ulong blockNumber,
        ParsedTransaction[] txs,
        TxValidationCode[] codes,
        string?[] reasons,
        IStateReader state,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<int, TxPvtReadWriteSet>? privateData = null,
        BlockToLive? blockToLive = null)
    {
        var due = await PrivateDataExpiry.DueAsync(blockNumber, state, cancellationToken).ConfigureAwait(false);
        var committed = await PrefetchAsync(txs, codes, state, cancellationToken, PrivateDataExpiry.KeysToRead(due)).ConfigureAwait(false);
        var updates = new BlockUpdates(blockNumber, committed, blockToLive);
        for (var i = 0; i < txs.Length; i++)
        {
            var tx = txs[i];
            if (codes[i] != TxValidationCode.Valid || !tx.IsEndorserTransaction)
            {
                continue;
            }

            var (code, reason) = await CheckAsync(tx, committed, updates, state, cancellationToken).ConfigureAwait(false);
            if (code != TxValidationCode.Valid)
            {
                codes[i] = code;
                reasons[i] = reason;
                continue;
            }

            updates.Add(tx, privateData?.GetValueOrDefault(tx.Index));
        }

        updates.Expire(due);
        return updates;
    }

    /// <summary>
    /// Reads, in one bulk call, the committed value of every key the candidate transactions read or write: the
    /// versions MVCC compares, and the value or metadata a partial write keeps.
    /// </summary>
    public static async ValueTask<Dictionary<StateKey, VersionedValue?>> PrefetchAsync(
        ParsedTransaction[] txs, TxValidationCode[] codes, IStateReader state, CancellationToken cancellationToken, IEnumerable<StateKey>? alsoRead = null)
    {
        var keys = new HashSet<StateKey>(alsoRead ?? []);
        for (var i = 0; i < txs.Length; i++)
        {
            if (codes[i] != TxValidationCode.Valid)
            {
                continue;
            }

            foreach (var ns in txs[i].ReadWriteSets)
            {
                foreach (var read in ns.ReadWriteSet.Reads)
                {
                    keys.Add(new StateKey(ns.Namespace, read.Key));
                }

                foreach (var write in ns.ReadWriteSet.Writes)
                {
                    keys.Add(new StateKey(ns.Namespace, write.Key));
                }

                foreach (var write in ns.ReadWriteSet.MetadataWrites)
                {
                    keys.Add(new StateKey(ns.Namespace, write.Key));
                }
            }
        }

        var list = keys.ToArray();
        var values = list.Length == 0 ? [] : await state.GetStatesAsync(list, cancellationToken).ConfigureAwait(false);
        var committed = new Dictionary<StateKey, VersionedValue?>(list.Length);
        for (var i = 0; i < list.Length; i++)
        {
            committed[list[i]] = values[i];
        }

        return committed;
    }

    /// <summary>
    /// A tx id already committed, or used by an earlier transaction of the block, makes a valid transaction a
    /// duplicate. Returns, per transaction, whether its tx id is new and goes into the index.
    /// </summary>
    public static bool[] MarkDuplicates(ParsedTransaction[] txs, TxValidationCode[] codes, string?[]? reasons, BlockIndex index)
    {
        var indexed = new bool[txs.Length];
        var firstUse = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < txs.Length; i++)
        {
            var txId = txs[i].TxId;
            if (txId.Length == 0)
            {
                continue;
            }

            string? duplicateOf = null;
            if (!firstUse.TryAdd(txId, i))
            {
                duplicateOf = $"tx id {txId} is also used by transaction {firstUse[txId]} of this block";
            }
            else if (index.GetTx(txId) is { } earlier)
            {
                duplicateOf = $"tx id {txId} was already committed in block {earlier.BlockNumber}, transaction {earlier.TxIndex}";
            }
            else
            {
                indexed[i] = true;
            }

            if (duplicateOf is not null && codes[i] == TxValidationCode.Valid)
            {
                codes[i] = TxValidationCode.DuplicateTxid;
                if (reasons is not null)
                {
                    reasons[i] = duplicateOf;
                }
            }
        }

        return indexed;
    }

    private static async ValueTask<(TxValidationCode Code, string? Reason)> CheckAsync(
        ParsedTransaction tx,
        Dictionary<StateKey, VersionedValue?> committed,
        BlockUpdates updates,
        IStateReader state,
        CancellationToken cancellationToken)
    {
        foreach (var ns in tx.ReadWriteSets)
        {
            foreach (var read in ns.ReadWriteSet.Reads)
            {
                var key = new StateKey(ns.Namespace, read.Key);
                if (updates.TryGet(key, out var pending))
                {
                    return (TxValidationCode.MvccReadConflict,
                        $"read of {Describe(key)} conflicts with its {(pending.IsDelete ? "delete" : "write")} by transaction {pending.TxIndex} of this block");
                }

                var current = committed[key]?.Version;
                var seen = read.Version is { } v ? new Version(v.BlockNum, v.TxNum) : (Version?)null;
                if (current != seen)
                {
                    return (TxValidationCode.MvccReadConflict,
                        $"read of {Describe(key)} saw version {Show(seen)} but the committed version is {Show(current)}");
                }
            }

            foreach (var range in ns.ReadWriteSet.RangeQueriesInfo)
            {
                var result = await CheckRangeAsync(ns.Namespace, range, updates, state, cancellationToken).ConfigureAwait(false);
                if (result.Code != TxValidationCode.Valid)
                {
                    return result;
                }
            }
        }

        return (TxValidationCode.Valid, null);
    }

    // Re-runs the range over committed state merged with the block's earlier writes; any difference from what
    // the transaction saw at endorsement (a key added, removed or rewritten) is a phantom.
    private static async ValueTask<(TxValidationCode Code, string? Reason)> CheckRangeAsync(
        string ns, RangeQueryInfo range, BlockUpdates updates, IStateReader state, CancellationToken cancellationToken)
    {
        var described = $"range [\"{StateLimits.Printable(range.StartKey, 64)}\", \"{StateLimits.Printable(range.EndKey, 64)}\") of namespace {ns}";
        if (range.ReadsInfoCase == RangeQueryInfo.ReadsInfoOneofCase.ReadsMerkleHashes)
        {
            return (TxValidationCode.InvalidOtherReason, $"{described} is summarised as Merkle hashes, which this ledger does not validate");
        }

        var expected = range.RawReads?.KvReads ?? [];
        string end;
        if (range.ItrExhausted)
        {
            end = range.EndKey;
        }
        else if (expected.Count == 0)
        {
            return (TxValidationCode.Valid, null); // stopped before reading anything: nothing to compare
        }
        else
        {
            end = expected[^1].Key + "\0"; // the iterator stopped at its last read key: re-check up to it, inclusive
        }

        var actual = MergedRange(ns, range.StartKey, end, updates, state, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using var disposeActual = actual.ConfigureAwait(false);
        for (var i = 0; ; i++)
        {
            var hasActual = await actual.MoveNextAsync().ConfigureAwait(false);
            if (i == expected.Count)
            {
                return hasActual
                    ? (TxValidationCode.PhantomReadConflict, $"{described}: key \"{StateLimits.Printable(actual.Current.Key, 64)}\" appeared since endorsement")
                    : (TxValidationCode.Valid, null);
            }

            var want = expected[i];
            if (!hasActual)
            {
                return (TxValidationCode.PhantomReadConflict, $"{described}: key \"{StateLimits.Printable(want.Key, 64)}\" disappeared since endorsement");
            }

            var (key, version) = actual.Current;
            var wantVersion = want.Version is { } v ? new Version(v.BlockNum, v.TxNum) : (Version?)null;
            if (key != want.Key || version != wantVersion)
            {
                return (TxValidationCode.PhantomReadConflict,
                    key != want.Key
                        ? $"{described}: found key \"{StateLimits.Printable(key, 64)}\" where endorsement read \"{StateLimits.Printable(want.Key, 64)}\""
                        : $"{described}: key \"{StateLimits.Printable(key, 64)}\" changed from version {Show(wantVersion)} to {version}");
            }
        }
    }

    private static async IAsyncEnumerable<(string Key, Version Version)> MergedRange(
        string ns, string start, string end, BlockUpdates updates, IStateReader state, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = updates.InRange(ns, start, end);
        var p = 0;
        string? bookmark = null;
        do
        {
            var page = await state.GetStateRangeAsync(ns, start, end, RangePageSize, bookmark, cancellationToken).ConfigureAwait(false);
            foreach (var result in page.Results)
            {
                // Pending writes with smaller keys come first.
                for (; p < pending.Count && Utf8Order.Instance.Compare(pending[p].Key, result.Key) < 0; p++)
                {
                    if (!pending[p].Value.IsDelete)
                    {
                        yield return (pending[p].Key, pending[p].Value.Version);
                    }
                }

                if (p < pending.Count && pending[p].Key == result.Key)
                {
                    if (!pending[p].Value.IsDelete)
                    {
                        yield return (result.Key, pending[p].Value.Version);
                    }

                    p++;
                    continue;
                }

                yield return (result.Key, result.Value.Version);
            }

            bookmark = page.Bookmark;
        }
        while (bookmark.Length > 0);

        for (; p < pending.Count; p++)
        {
            if (!pending[p].Value.IsDelete)
            {
                yield return (pending[p].Key, pending[p].Value.Version);
            }
        }
    }

    private static string Describe(StateKey key) => $"{key.Namespace}/\"{StateLimits.Printable(key.Key, 64)}\"";

    private static string Show(Version? version) => version?.ToString() ?? "(absent)";
}
