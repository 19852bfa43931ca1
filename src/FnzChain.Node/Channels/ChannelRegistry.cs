using System.Collections.Concurrent;
using FnzChain.Identity.Channels;
using FnzChain.Protos.Common;
using Microsoft.Extensions.Logging;

namespace FnzChain.Node.Channels;

/// <summary>One channel on a node (an orderer's or a peer's), as the registry manages it.</summary>
public interface INodeChannel : IAsyncDisposable
{
    string ChannelId { get; }

    ulong Height { get; }

    /// <summary>The channel's configuration in force (its organisations' MSPs, with their TLS CAs for mutual TLS).</summary>
    Identity.Channels.ChannelBundle Bundle { get; }

    /// <summary>Why this channel is not healthy now (for <c>/healthz</c>), or null.</summary>
    string? HealthProblem => null;

    /// <summary>The channel's AbsoluteMaxBytes (largest envelope it orders), when known.</summary>
    ulong? MaxEnvelopeBytes => null;
}

/// <summary>
/// The channels a node serves, each in <c>&lt;data&gt;/channels/&lt;channel id&gt;</c>: reopened at start-up, joined from
/// a genesis block (validated before anything is written; the folder is removed again if opening fails).
/// </summary>
public sealed class ChannelRegistry<TChannel>(
    string dataPath,
    Func<string, Block?, CancellationToken, Task<TChannel>> open,
    ILogger logger) : INodeChannels, IAsyncDisposable
    where TChannel : class, INodeChannel
{
    private readonly ConcurrentDictionary<string, TChannel> _channels = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _joining = new(1, 1);

    private string ChannelsPath => Path.Combine(dataPath, "channels");

    public IReadOnlyList<TChannel> All => _channels.Values.OrderBy(c => c.ChannelId, StringComparer.Ordinal).ToList();

    public TChannel? Find(string channelId) => _channels.GetValueOrDefault(channelId);

    public ulong? LargestEnvelopeBytes
    {
        get
        {
            ulong? largest = null;
            foreach (var channel in _channels.Values)
            {
                if (channel.MaxEnvelopeBytes is { } bytes && (largest is null || bytes > largest))
                {
                    largest = bytes;
                }
            }

            return largest;
        }
    }

    /// <summary>Reopens every channel under the data folder (each ledger recovers).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(ChannelsPath))
        {
            return;
        }

        foreach (var folder in Directory.GetDirectories(ChannelsPath).Order(StringComparer.Ordinal))
        {
            var channel = await open(folder, null, cancellationToken).ConfigureAwait(false);
            _channels[channel.ChannelId] = channel;
        }
    }

    /// <summary>Joins a channel from its genesis block. <see cref="ChannelConfigException"/> or <see cref="FormatException"/> for a bad block; <see cref="InvalidOperationException"/> when already joined.</summary>
    public async Task<TChannel> JoinAsync(Block genesis, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(genesis);
        if (genesis.Header?.Number != 0)
        {
            throw new ChannelConfigException($"a channel is joined with its genesis block (number 0), not block {genesis.Header?.Number}");
        }

        var config = ConfigBlock.ReadConfig(genesis);
        if (ChannelIds.Problem(config.ChannelId) is { } problem)
        {
            throw new ChannelConfigException(problem);
        }

        _ = ChannelBundle.Create(config); // validate before anything is written
        await _joining.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_channels.ContainsKey(config.ChannelId))
            {
                throw new InvalidOperationException($"this node has already joined channel {config.ChannelId}");
            }

            var folder = Path.Combine(ChannelsPath, config.ChannelId);
            try
            {
                var channel = await open(folder, genesis, cancellationToken).ConfigureAwait(false);
                _channels[channel.ChannelId] = channel;
                logger.LogInformation("Joined channel {Channel}", channel.ChannelId);
                return channel;
            }
            catch
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }

                throw;
            }
        }
        finally
        {
            _joining.Release();
        }
    }

    async Task<(string ChannelId, ulong Height)> INodeChannels.JoinAsync(Block genesis, CancellationToken cancellationToken)
    {
        var channel = await JoinAsync(genesis, cancellationToken).ConfigureAwait(false);
        return (channel.ChannelId, channel.Height);
    }

    public IReadOnlyList<(string ChannelId, ulong Height)> List() => All.Select(c => (c.ChannelId, c.Height)).ToList();

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels.Values)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }

        _channels.Clear();
        _joining.Dispose();
    }
}
