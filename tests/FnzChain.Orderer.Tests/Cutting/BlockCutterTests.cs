using FnzChain.Orderer.Cutting;
using FnzChain.Protos.Orderer;

namespace FnzChain.Orderer.Tests.Cutting;

public sealed class BlockCutterTests
{
    private static BlockCutter Cutter(uint count = 3, uint preferred = 100) =>
        new(new BatchSize { MaxMessageCount = count, PreferredMaxBytes = preferred, AbsoluteMaxBytes = 1000 });

    private static byte[] Envelope(int size) => new byte[size];

    [Test]
    public void Cutter_cuts_when_the_batch_reaches_max_message_count()
    {
        var cutter = Cutter(count: 3);

        Assert.That(cutter.Ordered(Envelope(10)), Is.Empty);
        Assert.That(cutter.Ordered(Envelope(10)), Is.Empty);
        var batches = cutter.Ordered(Envelope(10));

        Assert.That(batches.Single(), Has.Count.EqualTo(3));
        Assert.That(cutter.HasPending, Is.False);
    }

    [Test]
    public void Cutter_cuts_before_the_batch_would_pass_preferred_max_bytes()
    {
        var cutter = Cutter(count: 10, preferred: 100);
        cutter.Ordered(Envelope(60));

        var batches = cutter.Ordered(Envelope(50));

        Assert.That(batches.Single().Select(e => e.Length), Is.EqualTo(new[] { 60 }));
        Assert.That(cutter.PendingCount, Is.EqualTo(1));
    }

    [Test]
    public void Cutter_puts_an_envelope_larger_than_preferred_max_bytes_in_a_block_of_its_own()
    {
        var cutter = Cutter(count: 10, preferred: 100);
        cutter.Ordered(Envelope(10));

        var batches = cutter.Ordered(Envelope(150));

        Assert.That(batches.Select(b => b.Select(e => e.Length).ToArray()), Is.EqualTo(new[] { new[] { 10 }, new[] { 150 } }));
        Assert.That(cutter.HasPending, Is.False);
    }

    [Test]
    public void Cutter_keeps_order_across_cuts()
    {
        var cutter = Cutter(count: 2);
        var envelopes = Enumerable.Range(1, 5).Select(i => new[] { (byte)i }).ToList();

        var batches = envelopes.SelectMany(cutter.Ordered).ToList();
        batches.Add(cutter.Cut());

        Assert.That(batches.SelectMany(b => b).Select(e => e[0]), Is.EqualTo(new byte[] { 1, 2, 3, 4, 5 }));
        Assert.That(batches.Select(b => b.Count), Is.EqualTo(new[] { 2, 2, 1 }));
    }

    [Test]
    public void Cutter_refuses_a_zero_batch_size()
    {
        Assert.That(() => new BlockCutter(new BatchSize { MaxMessageCount = 0, PreferredMaxBytes = 10 }), Throws.ArgumentException);
    }
}
