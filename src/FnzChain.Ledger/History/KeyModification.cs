using FnzChain.Ledger.State;
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Ledger.History;

/// <summary>One committed write or delete of a key, as <see cref="HistoryStore.GetHistoryForKey"/> returns it.</summary>
/// <remarks>A delete has an empty <see cref="Value"/>.</remarks>
public sealed record KeyModification(string TxId, DateTimeOffset Timestamp, bool IsDelete, ReadOnlyMemory<byte> Value, Version Version);
