using FnzChain.Identity.Channels;
using FnzChain.Protos.Common;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace FnzChain.Orderer.Consensus;

/// <summary>
/// The ordering seam of one channel (Fabric's <c>consensus.Chain</c>): takes envelopes that passed the orderer's
/// checks and turns them into an ordered stream of blocks written through its <see cref="IConsenterSupport"/>. Solo
/// orders in-process; Kafka through a single-partition topic so every orderer cuts the same blocks.
/// </summary>
public interface IConsenter : IAsyncDisposable
{
    /// <summary>
    /// Accepts an envelope for ordering. <paramref name="configSequence"/> is the channel configuration it was checked
    /// against: a consenter that orders it after the configuration moved on has it checked again
    /// (<see cref="IConsenterSupport.Recheck"/>). Config envelopes are cut into a block of their own. What "accepted"
    /// promises is the consenter's: solo has queued it in memory, Kafka has it acknowledged by the brokers. An envelope
    /// too large for the consenter's transport is an <see cref="EnvelopeTooLargeException"/> naming its size and the
    /// limit (Broadcast: REQUEST_ENTITY_TOO_LARGE); any other failure means the consenter cannot order now.
    /// </summary>
    ValueTask OrderAsync(Envelope envelope, ulong configSequence, bool isConfig, CancellationToken cancellationToken);

    /// <summary>Starts ordering (after the channel's ledger is open); resumes from the metadata the factory was given.</summary>
    void Start();

    /// <summary>
    /// Why this consenter cannot order now, or null while it can. While set, <see cref="OrderAsync"/> refuses every
    /// envelope (Broadcast answers SERVICE_UNAVAILABLE) and the node's health names the channel and the cause.
    /// </summary>
    string? Fault { get; }
}

/// <summary>What a consenter needs from its channel (Fabric's <c>consensus.ConsenterSupport</c>).</summary>
public interface IConsenterSupport
{
    string ChannelId { get; }

    /// <summary>The orderer settings in force now (batch size and timeout can change with any config block).</summary>
    OrdererSettings Settings { get; }

    /// <summary>The sequence of the configuration in force.</summary>
    ulong ConfigSequence { get; }

    /// <summary>The channel's height: the number the next written block gets.</summary>
    ulong Height { get; }

    /// <summary>
    /// Checks again, against the configuration in force, an envelope that was checked against an older one: a normal
    /// envelope is still allowed (Writers, size) or not; a config envelope is recomputed from the update it carries
    /// (its <c>last_update</c>), or refused when that update no longer applies.
    /// </summary>
    Recheck Recheck(Envelope envelope, bool isConfig);

    /// <summary>
    /// Writes the batch as the next block, with <paramref name="consenterMetadata"/> (what the consenter needs to
    /// resume after this block, e.g. Kafka's offsets) in its metadata; null when a config envelope turned out stale.
    /// </summary>
    Task<Block?> WriteAsync(IReadOnlyList<byte[]> envelopes, bool isConfig, ByteString consenterMetadata, CancellationToken cancellationToken);
}

/// <summary>The outcome of <see cref="IConsenterSupport.Recheck"/>: the envelope to order (for a config update, the recomputed one), or why not.</summary>
public readonly record struct Recheck(Envelope? Envelope, string? Problem)
{
    public static Recheck Ok(Envelope envelope) => new(envelope, null);

    public static Recheck Refused(string problem) => new(null, problem);
}

/// <summary>Makes the consenter of one channel, for one consensus type (Fabric's <c>consensus.Consenter</c>).</summary>
public interface IConsenterFactory
{
    /// <summary>The <c>ConsensusType</c> value it serves, e.g. "solo".</summary>
    string Type { get; }

    /// <summary>
    /// The consenter of a channel whose last block carries <paramref name="lastConsenterMetadata"/> (empty for a new
    /// channel, or one whose consenter records nothing).
    /// </summary>
    IConsenter Create(IConsenterSupport support, ByteString lastConsenterMetadata, ILogger logger);
}

/// <summary>The consenter factories this orderer has, by type; a channel asks for the one its configuration names.</summary>
public sealed class ConsenterRegistry
{
    private readonly Dictionary<string, IConsenterFactory> _factories;

    public ConsenterRegistry(IEnumerable<IConsenterFactory> factories)
    {
        ArgumentNullException.ThrowIfNull(factories);
        _factories = factories.ToDictionary(f => f.Type, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> Types => _factories.Keys;

    /// <summary>The consenter for <paramref name="support"/>'s channel; a type this orderer lacks is a <see cref="ChannelConfigException"/> naming both.</summary>
    public IConsenter Create(string type, IConsenterSupport support, ByteString lastConsenterMetadata, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(support);
        return _factories.TryGetValue(type, out var factory)
            ? factory.Create(support, lastConsenterMetadata, logger)
            : throw new ChannelConfigException($"channel {support.ChannelId}: consensus type \"{type}\" is not available on this orderer (it has {string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal))})");
    }
}
