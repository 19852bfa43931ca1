using FnzChain.Orderer.Consensus;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace FnzChain.Orderer.Kafka;

/// <summary>Makes <see cref="KafkaConsenter"/>s, for channels whose <c>ConsensusType</c> is "kafka".</summary>
public sealed class KafkaConsenterFactory(KafkaConsenterOptions options) : IConsenterFactory
{
    public string Type => "kafka";

    /// <summary>The instruments of every consenter this factory makes (the orderer's one factory: one set of series per channel).</summary>
    public KafkaMetrics Metrics { get; } = new();

    public IConsenter Create(IConsenterSupport support, ByteString lastConsenterMetadata, ILogger logger) => new KafkaConsenter(support, lastConsenterMetadata, options, Metrics, logger);
}
