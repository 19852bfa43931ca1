using System.Text;
using FnzChain.Ledger.Blocks;
using FnzChain.Ledger.Verification;

namespace FnzChain.Ledger.Tests;

/// <summary>Opening a ledger after a crash: torn tails are cut, unindexed blocks replayed, lost committed data refused.</summary>
public sealed class ChannelLedgerRecoveryTests
{
    private LedgerFixture _fixture = null!;

    [SetUp]
    public async Task SetUp()
    {
        _fixture = await LedgerFixture.CreateAsync();
        for (var i = 0; i < 3; i++)
        {
            await _fixture.CommitAsync(TestTx.Id($"t{i}").Write("fund", "counter", i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Write("fund", $"k{i}", "v").Build());
        }
    }

    [TearDown]
    public async Task TearDown() => await _fixture.DisposeAsync();

    private async Task<string?> ValueOf(string key) =>
        await _fixture.Ledger.State.GetStateAsync("fund", key) is { } v ? Encoding.UTF8.GetString(v.Value.Span) : null;

    private BlockLocation LocationOf(ulong block) => _fixture.Ledger.Blocks.Index.GetBlockLocation(block)!.Value;

    [Test]
    public async Task Open_cuts_a_partially_written_last_record()
    {
        var end = LocationOf(2).End;
        var lastRecord = File.ReadAllBytes(_fixture.LastFile)[(int)LocationOf(2).Offset..(int)end];
        _fixture.Close();
        await using (var file = new FileStream(_fixture.LastFile, FileMode.Append))
        {
            file.Write(lastRecord.AsSpan(0, lastRecord.Length / 2));
        }

        await _fixture.OpenAsync();

        Assert.That(_fixture.Ledger.Height, Is.EqualTo(3UL));
        Assert.That(new FileInfo(_fixture.LastFile).Length, Is.EqualTo(end));
        await _fixture.CommitAsync(TestTx.Id("t3").Write("fund", "counter", "3").Build());
        Assert.That(await ValueOf("counter"), Is.EqualTo("3"));
        _fixture.Close();
        Assert.That(LedgerVerifier.Verify(_fixture.Folder).IsIntact, Is.True);
    }

    [Test]
    public async Task Open_cuts_a_zero_filled_tail()
    {
        var end = LocationOf(2).End;
        _fixture.Close();
        await using (var file = new FileStream(_fixture.LastFile, FileMode.Append))
        {
            file.Write(new byte[4096]);
        }

        await _fixture.OpenAsync();

        Assert.That(_fixture.Ledger.Height, Is.EqualTo(3UL));
        Assert.That(new FileInfo(_fixture.LastFile).Length, Is.EqualTo(end));
    }

    [Test]
    public async Task Open_indexes_and_applies_blocks_that_reached_the_files_but_not_the_database()
    {
        await CommitWithoutTheDatabaseNoticingAsync(
            TestTx.Id("t3").Write("fund", "counter", "3").Build(),
            TestTx.Id("t4").Read("fund", "counter", new(3, 0)).Write("fund", "counter", "4").Build());

        await _fixture.OpenAsync();

        Assert.That(_fixture.Ledger.Height, Is.EqualTo(5UL));
        Assert.That(await ValueOf("counter"), Is.EqualTo("4"));
        Assert.That(_fixture.Ledger.Blocks.GetTxLocation("t4")!.Value.BlockNumber, Is.EqualTo(4UL));
        Assert.That(_fixture.Ledger.History.GetHistoryForKey("fund", "counter").Select(h => h.TxId), Is.EqualTo(new[] { "t4", "t3", "t2", "t1", "t0" }));
        Assert.That((await _fixture.CommitAsync(TestTx.Id("t5").Read("fund", "counter", new(4, 0)).Build())).Codes[0], Is.EqualTo(Protos.Peer.TxValidationCode.Valid));
    }

    [Test]
    public async Task Open_rebuilds_index_and_state_when_the_database_is_gone()
    {
        _fixture.Close();
        Directory.Delete(_fixture.DatabaseFolder, recursive: true);

        await _fixture.OpenAsync();

        Assert.That(_fixture.Ledger.Height, Is.EqualTo(3UL));
        Assert.That(await ValueOf("counter"), Is.EqualTo("2"));
        Assert.That(await ValueOf("k0"), Is.EqualTo("v"));
        Assert.That(_fixture.Ledger.Blocks.GetTxLocation("t1")!.Value.BlockNumber, Is.EqualTo(1UL));
    }

    [Test]
    public async Task Open_refuses_a_block_store_shorter_than_what_was_committed()
    {
        var start = LocationOf(2).Offset;
        _fixture.Close();
        using (var file = new FileStream(_fixture.LastFile, FileMode.Open))
        {
            file.SetLength(start + 10);
        }

        var error = Assert.ThrowsAsync<LedgerCorruptedException>(_fixture.OpenAsync);

        Assert.That(error!.Message, Does.StartWith("committed blocks are missing: the index records 3 blocks"));
    }

    [Test]
    public async Task Open_refuses_a_damaged_unindexed_block_that_is_not_the_last_record()
    {
        var end = LocationOf(2).End;
        await CommitWithoutTheDatabaseNoticingAsync(
            TestTx.Id("t3").Write("fund", "counter", "3").Build(),
            TestTx.Id("t4").Write("fund", "counter", "4").Build());
        var damaged = end; // block 3's record starts where block 2's ends
        FlipByte(_fixture.LastFile, damaged + 20);

        var error = Assert.ThrowsAsync<LedgerCorruptedException>(_fixture.OpenAsync);

        Assert.That(error!.Message, Does.StartWith("block 3 (blockfile_000000 at offset").And.Contain("checksum mismatch"));
    }

    /// <summary>
    /// Commits one block per envelope, then puts back the database as it was before them: the state a crash leaves when block
    /// records reached the files but the database batch did not.
    /// </summary>
    private async Task CommitWithoutTheDatabaseNoticingAsync(params Google.Protobuf.ByteString[] envelopes)
    {
        _fixture.Close();
        var backup = _fixture.DatabaseFolder + ".before";
        CopyFolder(_fixture.DatabaseFolder, backup);
        await _fixture.OpenAsync();
        foreach (var envelope in envelopes)
        {
            await _fixture.CommitAsync(envelope);
        }

        _fixture.Close();
        Directory.Delete(_fixture.DatabaseFolder, recursive: true);
        Directory.Move(backup, _fixture.DatabaseFolder);
    }

    internal static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0x01));
    }

    internal static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
