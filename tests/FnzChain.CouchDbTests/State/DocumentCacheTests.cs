using FnzChain.Ledger.State;
using FnzChain.Ledger.State.CouchDb;
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.CouchDbTests.State;

/// <summary>The document cache keeps what reads saw only when no block was applied meanwhile, and stays within its bounds.</summary>
[Category("CouchDb")]
public sealed class DocumentCacheTests
{
    private static CachedDocument Doc(string revision, int bytes = 10) =>
        new(revision, new VersionedValue(new byte[bytes], new Version(1, 0)), HasValue: true);

    [Test]
    public void Read_that_started_before_an_apply_caches_nothing()
    {
        var cache = new DocumentCache(100, 1 << 20);
        var epoch = cache.Epoch;
        cache.BumpEpoch(); // an apply starts while the read is in flight
        cache.BumpEpoch(); // ... and ends

        cache.SetIfUnchanged(epoch, "db", ["k"], [CachedDocument.Absent]);

        Assert.That(cache.TryGet("db", "k", out _), Is.False);
    }

    [Test]
    public void Read_that_started_during_an_apply_caches_nothing()
    {
        var cache = new DocumentCache(100, 1 << 20);
        cache.BumpEpoch();

        cache.SetIfUnchanged(cache.Epoch, "db", ["k"], [Doc("1-a")]);

        Assert.That(cache.TryGet("db", "k", out _), Is.False);
    }

    [Test]
    public void Read_with_no_apply_around_it_caches_values_and_absence()
    {
        var cache = new DocumentCache(100, 1 << 20);

        cache.SetIfUnchanged(cache.Epoch, "db", ["k", "gone"], [Doc("1-a"), CachedDocument.Absent]);

        Assert.That(cache.TryGet("db", "k", out var k) && k is { Revision: "1-a", HasValue: true, Value.Value.Length: 10 }, Is.True);
        Assert.That(cache.TryGet("db", "gone", out var gone) && gone is { Revision: null, Value: null, HasValue: true }, Is.True);
    }

    [Test]
    public void Full_cache_drops_its_oldest_quarter_before_a_new_entry()
    {
        var cache = new DocumentCache(8, 1 << 20);
        for (var i = 0; i < 8; i++)
        {
            cache.Set("db", $"k{i}", Doc("1"));
        }

        cache.Set("db", "new", Doc("1"));

        Assert.That(cache.Count, Is.EqualTo(7));
        Assert.That(cache.TryGet("db", "k0", out _) || cache.TryGet("db", "k1", out _), Is.False, "the oldest went");
        Assert.That(cache.TryGet("db", "k7", out _) && cache.TryGet("db", "new", out _), Is.True);
    }

    [Test]
    public void Updates_of_cached_entries_mixed_with_new_ones_never_take_the_cache_past_its_bounds()
    {
        var cache = new DocumentCache(8, 16 * 1024);
        var random = new Random(7);
        for (var i = 0; i < 5000; i++)
        {
            // Rewrites of recent keys (blocks updating what they read) between new keys, sizes varying.
            var id = random.Next(3) == 0 ? $"new{i}" : $"new{Math.Max(0, i - random.Next(12))}";
            cache.Set("db", id, Doc($"{i}-r", random.Next(0, 256)));
            if (random.Next(50) == 0)
            {
                cache.Remove("db", id);
            }

            Assert.That(cache.Count, Is.LessThanOrEqualTo(8), $"step {i}");
            Assert.That(cache.Bytes, Is.LessThanOrEqualTo(16 * 1024), $"step {i}");
        }
    }

    [Test]
    public void Values_are_bounded_by_bytes_and_a_large_value_keeps_only_its_revision()
    {
        var cache = new DocumentCache(1000, 64 * 1024); // values up to 1 KiB are kept
        cache.Set("db", "large", Doc("1-l", 4096));
        Assert.That(cache.TryGet("db", "large", out var large) && large is { Revision: "1-l", HasValue: false, Value: null }, Is.True);

        for (var i = 0; i < 200; i++)
        {
            cache.Set("db", $"k{i}", Doc("1", 1000));
        }

        Assert.That(cache.Bytes, Is.LessThanOrEqualTo(64 * 1024));
        Assert.That(cache.TryGet("db", "k199", out var last) && last.HasValue, Is.True);
    }

    [Test]
    public void Without_a_byte_budget_only_revisions_and_absence_are_kept()
    {
        var cache = new DocumentCache(100, 0);

        cache.Set("db", "k", Doc("2-b"));
        cache.Set("db", "gone", CachedDocument.Absent);

        Assert.That(cache.TryGet("db", "k", out var k) && k is { Revision: "2-b", HasValue: false }, Is.True);
        Assert.That(cache.TryGet("db", "gone", out var gone) && gone.HasValue && gone.Value is null, Is.True);
    }

    [Test]
    public void Entries_removed_and_cached_again_do_not_grow_the_cache_beyond_its_bound()
    {
        var cache = new DocumentCache(4, 1 << 20);
        for (var round = 0; round < 1000; round++)
        {
            cache.Set("db", "k", Doc("1"));
            cache.Remove("db", "k");
        }

        cache.Set("db", "k", Doc("2"));
        Assert.That(cache.Count, Is.EqualTo(1));
        Assert.That(cache.TryGet("db", "k", out var k) && k.Revision == "2", Is.True);
    }
}
