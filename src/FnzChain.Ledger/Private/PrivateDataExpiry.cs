using System.Globalization;
using FnzChain.Ledger.State;

using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Ledger.Private;

/// <summary>
/// How long a collection's private data lives: blocks after the block that wrote it (the collection's
/// <c>blockToLive</c>; 0 = forever). Asked at commit, with the channel configuration in force for that block.
/// </summary>
public delegate ulong BlockToLive(string chaincode, string collection);

/// <summary>One private key due to expire when block <see cref="At"/> commits, unless it was written again since.</summary>
internal sealed record ExpiringKey(string EntryKey, ulong At, string Chaincode, string Collection, string KeyHash, Version Written);

/// <summary>
/// The expiry schedule of private data (Fabric's <c>blockToLive</c>): a hashed write to a collection with a
/// block-to-live of <c>n</c>, committed in block <c>b</c>, is scheduled for block <c>b + n + 1</c> — it can be
/// read in the <c>n</c> blocks after it was written — as an entry <c>block/chaincode/collection/keyHash</c> in
/// the reserved state namespace <see cref="Namespace"/>, versioned with the write's own version, committed in the
/// same atomic batch as the write. When block <c>b + n + 1</c> commits, each entry whose key still has that
/// version is removed everywhere (hashed entry, plaintext, key index) and erased from the files as a purge is;
/// an entry whose key was written again since is dropped (the newer write has its own entry).
/// </summary>
internal static class PrivateDataExpiry
{
    /// <summary>Contains <c>$</c>, so it can be neither a chaincode's namespace nor a collection's.</summary>
    public const string Namespace = "$$expiry";

    private const int PageSize = 1000;

    /// <summary>The block at whose commit a write of block <paramref name="written"/> expires, or null for never.</summary>
    public static ulong? ExpiresAt(ulong written, ulong blockToLive) =>
        blockToLive == 0 || blockToLive >= ulong.MaxValue - written - 1 ? null : written + blockToLive + 1;

    public static string EntryKey(ulong at, string chaincode, string collection, string keyHash) =>
        string.Create(CultureInfo.InvariantCulture, $"{at:D20}/{chaincode}/{collection}/{keyHash}");

    /// <summary>The keys due when block <paramref name="blockNumber"/> commits, in key order.</summary>
    public static async ValueTask<List<ExpiringKey>> DueAsync(ulong blockNumber, IStateReader state, CancellationToken cancellationToken)
    {
        var prefix = string.Create(CultureInfo.InvariantCulture, $"{blockNumber:D20}/");
        var end = string.Create(CultureInfo.InvariantCulture, $"{blockNumber:D20}0"); // '0' follows '/'
        var due = new List<ExpiringKey>();
        string? bookmark = null;
        do
        {
            var page = await state.GetStateRangeAsync(Namespace, prefix, end, PageSize, bookmark, cancellationToken).ConfigureAwait(false);
            foreach (var entry in page.Results)
            {
                var parts = entry.Key.Split('/');
                if (parts.Length != 4)
                {
                    throw new LedgerCorruptedException($"private data expiry entry \"{entry.Key}\" is not block/chaincode/collection/keyHash");
                }

                due.Add(new ExpiringKey(entry.Key, blockNumber, parts[1], parts[2], parts[3], entry.Value.Version));
            }

            bookmark = page.HasMore ? page.Bookmark : null;
        }
        while (bookmark is not null);

        return due;
    }

    /// <summary>The state keys an expiring key's removal reads: its hashed entry and its key-index entry.</summary>
    public static IEnumerable<StateKey> KeysToRead(IEnumerable<ExpiringKey> due) =>
        due.SelectMany(e => new[]
        {
            new StateKey(PrivateNamespaces.Hashed(e.Chaincode, e.Collection), e.KeyHash),
            new StateKey(PrivateNamespaces.KeyIndex(e.Chaincode, e.Collection), e.KeyHash),
        });
}
