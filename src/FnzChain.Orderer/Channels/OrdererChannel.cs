using FnzChain.Identity.Channels;
using FnzChain.Identity.Policies;
using FnzChain.Ledger;
using FnzChain.Ledger.Blocks;
using FnzChain.Node;
using FnzChain.Node.Channels;
using FnzChain.Orderer.Consensus;
using FnzChain.Orderer.Signing;
using FnzChain.Protos.Common;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace FnzChain.Orderer.Channels;

/// <summary>What every channel of an orderer shares: its identity and block signer, its clock, the consenters it can run.</summary>
public sealed record OrdererServices(LocalIdentity Local, BlockSigner Signer, TimeProvider Time, ConsenterRegistry Consenters);

/// <summary>
/// One channel on this orderer: its configuration (<see cref="ChannelBundle"/>), its ledger (blocks only: the
/// orderer keeps no state, so transactions are stored as NOT_VALIDATED), and its consenter, made by the factory of the
/// configuration's consensus type. The channel decides what may be ordered (<see cref="Admit"/>, again in
/// <see cref="Recheck"/> when the configuration moved on) and is the consenter's <see cref="IConsenterSupport"/>:
/// numbers, chains, signs and stores each cut batch.
/// </summary>
public sealed class OrdererChannel : IConsenterSupport, INodeChannel
{
    private readonly OrdererServices _services;
    private readonly ILogger _logger;
    private ChannelBundle _bundle;
    private ulong _lastConfig;

    private OrdererChannel(ChannelLedger ledger, ChannelBundle bundle, ulong lastConfig, OrdererServices services, ILogger logger)
    {
        Ledger = ledger;
        _bundle = bundle;
        _lastConfig = lastConfig;
        _services = services;
        _logger = logger;
        var last = ledger.Blocks.GetBlock(ledger.Height - 1)!;
        Consenter = services.Consenters.Create(bundle.Config.Orderer.ConsensusType, this, BlockSigner.ConsenterMetadataOf(last), logger);
    }

    public string ChannelId => Bundle.ChannelId;

    /// <summary>The configuration in force (replaced atomically when a config block is written).</summary>
    public ChannelBundle Bundle => Volatile.Read(ref _bundle);

    public OrdererSettings Settings => Bundle.Config.Orderer;

    public ulong ConfigSequence => Bundle.Config.Sequence;

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
    public static async Task<OrdererChannel> OpenAsync(string folder, Block? genesis, OrdererServices services, LedgerOptions ledgerOptions, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var ledger = await ChannelLedger.OpenAsync(folder, ledgerOptions, cancellationToken).ConfigureAwait(false);
        try
        {
            if (ledger.Height == 0)
            {
                if (genesis is null)
                {
                    throw new ChannelConfigException($"ledger {folder} has no blocks and no genesis block was given");
                }

                await ledger.AppendAsync(genesis, cancellationToken).ConfigureAwait(false);
            }

            var lastConfig = ConfigBlock.LastConfigIndex(ledger.Blocks.GetBlock(ledger.Height - 1)!);
            var config = ConfigBlock.ReadConfig(ledger.Blocks.GetBlock(lastConfig)!);
            var channel = new OrdererChannel(ledger, ChannelBundle.Create(config), lastConfig, services, logger);
            channel.Consenter.Start();
            return channel;
        }
        catch
        {
            ledger.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether <paramref name="envelope"/> (<paramref name="parsed"/>) may be ordered on this channel under the
    /// configuration in force: size, header type, the Writers policy, and for a CONFIG_UPDATE the update rules — which
    /// turn it into the CONFIG envelope to order. A refusal is a status with a one-line reason.
    /// </summary>
    public Admission Admit(Envelope envelope, SignedEnvelope parsed, FnzChain.Node.Audit.AuditEntry? audit = null)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(parsed);
        var bundle = Bundle;
        var size = envelope.CalculateSize();
        var limit = bundle.Config.Orderer.BatchSize.AbsoluteMaxBytes;
        if (limit > 0 && size > limit)
        {
            return Admission.Refused(Status.RequestEntityTooLarge, $"envelope of {size} bytes exceeds channel {parsed.ChannelId}'s absolute_max_bytes of {limit}");
        }

        switch (parsed.Type)
        {
            case HeaderType.EndorserTransaction or HeaderType.Message or HeaderType.ConfigUpdate:
                break;
            case HeaderType.Config:
                return Admission.Refused(Status.BadRequest, "CONFIG envelopes are produced by the orderer; submit a CONFIG_UPDATE");
            default:
                return Admission.Refused(Status.BadRequest, $"envelopes of header type {(int)parsed.Type} are not accepted for ordering");
        }

        var signers = SignatureSet.Validate([parsed.SignedData], bundle.Msps);
        audit?.Signers(signers);
        var writers = bundle.Evaluate(ChannelBundle.Writers, signers);
        if (!writers.IsSatisfied)
        {
            return Admission.Refused(Status.Forbidden, writers.Reason);
        }

        if (parsed.Type != HeaderType.ConfigUpdate)
        {
            return new Admission(Status.Success, string.Empty, envelope, false, bundle.Config.Sequence);
        }

        try
        {
            var now = _services.Time.GetUtcNow();
            var next = ConfigUpdates.Validate(bundle, parsed, now);
            var config = ConfigUpdates.ToConfigEnvelope(bundle.ChannelId, next, envelope, _services.Local.Serialized, _services.Local.Signing.Signer, now);
            return new Admission(Status.Success, string.Empty, config, true, bundle.Config.Sequence);
        }
        catch (ConfigUpdateRejectedException e)
        {
            return Admission.Refused(e.IsAuthorization ? Status.Forbidden : Status.BadRequest, e.Message);
        }
    }

    /// <inheritdoc />
    public Recheck Recheck(Envelope envelope, bool isConfig)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        try
        {
            // A CONFIG envelope carries the client's CONFIG_UPDATE envelope as its last_update: admit that again.
            var original = isConfig
                ? ConfigEnvelope.Parser.ParseFrom(Payload.Parser.ParseFrom(envelope.Payload).Data).LastUpdate
                  ?? throw new FormatException("the config envelope has no last_update")
                : envelope;
            var admitted = Admit(original, SignedEnvelope.Parse(original));
            return admitted.Envelope is { } again ? Consensus.Recheck.Ok(again) : Consensus.Recheck.Refused($"{admitted.Status}: {admitted.Reason}");
        }
        catch (Exception e) when (e is FormatException or InvalidProtocolBufferException)
        {
            return Consensus.Recheck.Refused($"it does not parse any more: {e.Message}");
        }
    }

    /// <inheritdoc />
    public async Task<Block?> WriteAsync(IReadOnlyList<byte[]> envelopes, bool isConfig, ByteString consenterMetadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        var block = BlockFactory.Create(Ledger.Height, Ledger.Blocks.LastBlockHash, envelopes.Select(e => UnsafeByteOperations.UnsafeWrap(e)));
        ChannelBundle? newBundle = null;
        if (isConfig)
        {
            // The consenter re-checks config envelopes checked against an older sequence; this is the last guard.
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
        _services.Signer.Sign(block, lastConfig, consenterMetadata);
        await Ledger.AppendAsync(block, cancellationToken).ConfigureAwait(false);
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
}

/// <summary>
/// The channel's answer to an envelope offered for ordering: SUCCESS with the envelope to order (for a config update,
/// the CONFIG envelope) and the config sequence it was checked against, or a status and a one-line reason.
/// </summary>
public sealed record Admission(Status Status, string Reason, Envelope? Envelope, bool IsConfig, ulong ConfigSequence)
{
    public static Admission Refused(Status status, string reason) => new(status, reason, null, false, 0);
}
