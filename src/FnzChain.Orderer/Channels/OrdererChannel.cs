using FnzChain.Identity.Channels;
using FnzChain.Ledger;
using FnzChain.Ledger.Blocks;
using FnzChain.Node.Channels;
using FnzChain.Orderer.Consensus;
using FnzChain.Orderer.Consensus.Solo;
using FnzChain.Orderer.Signing;
using FnzChain.Protos.Common;
using FnzChain.Protos.Lifecycle;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace FnzChain.Orderer.Channels;

/// <summary>
/// One channel on this orderer: its configuration (<see cref="ChannelBundle"/>), its ledger (blocks only: the
/// orderer keeps no state, so transactions are stored as NOT_VALIDATED), and its consenter. Also the consenter's
/// <see cref="IBlockWriter"/>: numbers, chains, signs and stores each cut batch.
/// </summary>
public sealed class OrdererChannel : IBlockWriter, INodeChannel
{
    private readonly BlockSigner _signer;
    private readonly ILogger _logger;
    private ChannelBundle _bundle;
    private ulong _lastConfig;

    private OrdererChannel(ChannelLedger ledger, ChannelBundle bundle, ulong lastConfig, BlockSigner signer, ILogger logger)
    {
        Ledger = ledger;
        _bundle = bundle;
        _lastConfig = lastConfig;
        _signer = signer;
        _logger = logger;
        Consenter = bundle.Config.Orderer.ConsensusType switch
        {
            "solo" => new SoloConsenter(bundle.Config.Orderer, this, logger),
            var other => throw new ChannelConfigException($"channel {bundle.ChannelId}: consenter type {other} is not supported by this orderer"),
        };
    }

    public string ChannelId => Bundle.ChannelId;

    /// <summary>The configuration in force (replaced atomically when a config block is written).</summary>
    public ChannelBundle Bundle => Volatile.Read(ref _bundle);

    public ulong? MaxEnvelopeBytes => Bundle.Config.Orderer.BatchSize.AbsoluteMaxBytes;

    public ChannelLedger Ledger { get; }

    public ulong Height => Ledger.Height;

    public IConsenter Consenter { get; }

    /// <summary>The consenter's fault, for <c>/healthz</c>: a channel that cannot order is not healthy.</summary>
    public string? HealthProblem => Consenter.Fault;

    /// <summary>
    /// Opens the channel's ledger in <paramref name="folder"/>; a new channel starts from <paramref name="genesis"/>.
    /// Starts ordering.
    /// </summary>
    public static async Task<OrdererChannel> OpenAsync(string folder, Block? genesis, BlockSigner signer, LedgerOptions ledgerOptions, ILogger logger, CancellationToken cancellationToken)
    {
        var ledger = await ChannelLedger.OpenAsync(folder, ledgerOptions, cancellationToken).ConfigureAwait(false);
        try
        {
            if (ledger.Height == 0)
            {
                if (genesis is null)
                {
                    throw new ChannelConfigException($"ledger {folder} has no blocks and no genesis block was given");
                }

                await ledger.CommitAsync(genesis, NotValidated(genesis), cancellationToken).ConfigureAwait(false);
            }

            var lastConfig = ConfigBlock.LastConfigIndex(ledger.Blocks.GetBlock(ledger.Height - 1)!);
            var config = ConfigBlock.ReadConfig(ledger.Blocks.GetBlock(lastConfig)!);
            var channel = new OrdererChannel(ledger, ChannelBundle.Create(config), lastConfig, signer, logger);
            channel.Consenter.Start();
            return channel;
        }
        catch
        {
            ledger.Dispose();
            throw;
        }
    }

    public async Task<Block?> WriteAsync(IReadOnlyList<byte[]> envelopes, bool isConfig, CancellationToken cancellationToken)
    {
        var block = BlockFactory.Create(Ledger.Height, Ledger.Blocks.LastBlockHash, envelopes.Select(e => UnsafeByteOperations.UnsafeWrap(e)));
        ChannelBundle? newBundle = null;
        if (isConfig)
        {
            // Two updates validated against the same sequence may both reach the consenter: the second is stale now.
            var config = ConfigBlock.ReadConfig(block);
            if (config.Sequence != Bundle.Config.Sequence + 1)
            {
                _logger.LogWarning(
                    "Channel {Channel}: dropped a config update for sequence {Sequence}; the channel is already at {Current}",
                    ChannelId, config.Sequence, Bundle.Config.Sequence);
                return null;
            }

            newBundle = ChannelBundle.Create(config);
        }

        var lastConfig = isConfig ? block.Header.Number : _lastConfig;
        _signer.Sign(block, lastConfig);
        await Ledger.CommitAsync(block, NotValidated(block), cancellationToken).ConfigureAwait(false);
        var channelTag = new KeyValuePair<string, object?>("channel", ChannelId);
        OrdererMetrics.Blocks.Add(1, channelTag);
        OrdererMetrics.Transactions.Add(block.Data.Data.Count, channelTag);
        _lastConfig = lastConfig;
        if (newBundle is not null)
        {
            Volatile.Write(ref _bundle, newBundle);
        }

        return block;
    }

    public async ValueTask DisposeAsync()
    {
        await Consenter.DisposeAsync().ConfigureAwait(false);
        Ledger.Dispose();
    }

    /// <summary>The orderer does not validate transactions: every one is stored as NOT_VALIDATED for the peers to judge.</summary>
    private static TxValidationCode[] NotValidated(Block block) =>
        Enumerable.Repeat(TxValidationCode.NotValidated, block.Data?.Data.Count ?? 0).ToArray();
}
