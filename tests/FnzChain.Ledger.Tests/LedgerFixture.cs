using FnzChain.Ledger.Blocks;
using FnzChain.Ledger.Storage;
using FnzChain.Protos.Common;
using FnzChain.Protos.Peer;
using Google.Protobuf;

namespace FnzChain.Ledger.Tests;

/// <summary>A real ledger (RocksDB and segment files) in a temp folder, deleted on dispose.</summary>
internal sealed class LedgerFixture : IAsyncDisposable
{
    private LedgerFixture(string folder, LedgerOptions options)
    {
        Folder = folder;
        Options = options;
    }

    public string Folder { get; }

    public LedgerOptions Options { get; }

    public ChannelLedger Ledger { get; private set; } = null!;

    public string BlocksFolder => Path.Combine(Folder, ChannelLedger.BlocksFolder);

    public string DatabaseFolder => Path.Combine(Folder, ChannelLedger.DatabaseFolder);

    public static async Task<LedgerFixture> CreateAsync(LedgerOptions? options = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "fnzchain-ledger-" + Guid.NewGuid().ToString("N"));
        var fixture = new LedgerFixture(folder, options ?? new LedgerOptions { Durability = CommitDurability.Buffered });
        fixture.Ledger = await ChannelLedger.OpenAsync(folder, fixture.Options);
        return fixture;
    }

    /// <summary>The next block holding <paramref name="envelopes"/>, chained to the ledger's last block.</summary>
    public Block NextBlock(params ByteString[] envelopes) => BlockFactory.Create(Ledger.Height, Ledger.Blocks.LastBlockHash, envelopes);

    public Task<BlockCommitResult> CommitAsync(params ByteString[] envelopes) => Ledger.CommitAsync(NextBlock(envelopes));

    public Task<BlockCommitResult> CommitAsync(IReadOnlyList<TxValidationCode> verdicts, params ByteString[] envelopes) =>
        Ledger.CommitAsync(NextBlock(envelopes), verdicts);

    public async Task ReopenAsync()
    {
        Ledger.Dispose();
        Ledger = await ChannelLedger.OpenAsync(Folder, Options);
    }

    public void Close() => Ledger.Dispose();

    public async Task OpenAsync() => Ledger = await ChannelLedger.OpenAsync(Folder, Options);

    public string LastFile => Directory.GetFiles(BlocksFolder).Order(StringComparer.Ordinal).Last();

    public ValueTask DisposeAsync()
    {
        Ledger?.Dispose();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}
