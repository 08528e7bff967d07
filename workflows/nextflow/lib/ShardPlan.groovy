/*
 * The scatter plan: which (k, first restart, last restart) shards FACTORIZE runs.
 * Same rule as the WDL `plan_shards` task and workflows/slurm/submit.sh (a test compares the three):
 * ks "2-5" / "2,3,5" / "2-3,6" -> sorted unique ranks; restarts 0..restarts-1 cut into ranges of at
 * most restarts_per_shard, in order.
 */
class ShardPlan {

    static List<Integer> ks(Object spec) {
        def ks = new TreeSet<Integer>()
        spec.toString().split(',').each { String part ->
            def bounds = part.trim().split('-')*.trim()
            int lo = bounds[0] as int
            int hi = (bounds.size() > 1 ? bounds[1] : bounds[0]) as int
            if (lo < 2 || hi < lo) {
                throw new IllegalArgumentException("ks: '${part.trim()}' is not a rank >= 2 or a range lo-hi with lo <= hi")
            }
            (lo..hi).each { ks << it }
        }
        return ks as List<Integer>
    }

    static List<List<Integer>> ranges(int restarts, int perShard) {
        if (restarts < 1 || perShard < 1) {
            throw new IllegalArgumentException('restarts and restarts_per_shard must be at least 1')
        }
        (0..<restarts).step(perShard).collect { int a -> [a, Math.min(a + perShard, restarts) - 1] }
    }

    /** [[k, first, last], ...]: every k, every restart range. */
    static List<List<Integer>> shards(Object ksSpec, int restarts, int perShard) {
        ks(ksSpec).collectMany { int k -> ranges(restarts, perShard).collect { List<Integer> r -> [k, r[0], r[1]] } }
    }
}
