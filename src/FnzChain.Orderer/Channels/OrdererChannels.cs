using System.Collections.Concurrent;
using FnzChain.Identity.Channels;
using FnzChain.Ledger;
using FnzChain.Orderer.Signing;
using FnzChain.Protos.Common;
using FnzChain.Node;
using Microsoft.Extensions.Logging;

namespace FnzChain.Orderer.Channels;

/// <summary>The channels this orderer serves, each in <c>&lt;data&gt;/channels/&lt;channel id&gt;</c>; reopened at start-up.</summary>
public sealed class OrdererChannels(string dataPath, BlockSigner signer, LedgerOptions ledgerOptions, ILoggerFactory loggers) : INodeChannels, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, OrdererChannel> _channels = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _joining = new(1, 1);
    private readonly ILogger _logger = loggers.CreateLogger<OrdererChannels>();

    private string ChannelsPath => Path.Combine(dataPath, "channels");

    public IReadOnlyCollection<OrdererChannel> All => _channels.Values.OrderBy(c => c.ChannelId, StringComparer.Ordinal).ToList();

    public OrdererChannel? Find(string channelId) => _channels.GetValueOrDefault(channelId);

    /// <summary>Reopens every channel ledger under the data folder (recovering each).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(ChannelsPath))
        {
            return;
        }

        foreach (var folder in Directory.GetDirectories(ChannelsPath).Order(StringComparer.Ordinal))
        {
            var channel = await OrdererChannel.OpenAsync(folder, genesis: null, signer, ledgerOptions, loggers.CreateLogger<OrdererChannel>(), cancellationToken).ConfigureAwait(false);
            _channels[channel.ChannelId] = channel;
        }
    }

    /// <summary>Joins a channel from its genesis block. Throws <see cref="ChannelConfigException"/> for a bad block and <see cref="InvalidOperationException"/> when already joined.</summary>
    public async Task<OrdererChannel> JoinAsync(Block genesis, CancellationToken cancellationToken)
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
                throw new InvalidOperationException($"this orderer has already joined channel {config.ChannelId}");
            }

            var folder = Path.Combine(ChannelsPath, config.ChannelId);
            try
            {
                var channel = await OrdererChannel.OpenAsync(folder, genesis, signer, ledgerOptions, loggers.CreateLogger<OrdererChannel>(), cancellationToken).ConfigureAwait(false);
                _channels[channel.ChannelId] = channel;
                _logger.LogInformation("Joined channel {Channel}", channel.ChannelId);
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
        return (channel.ChannelId, channel.Ledger.Height);
    }

    public IReadOnlyList<(string ChannelId, ulong Height)> List() => All.Select(c => (c.ChannelId, c.Ledger.Height)).ToList();

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
